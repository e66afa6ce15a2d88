sequence maxspan 2m
|evt.name = 'Connect' and net.dport = 445| as e1
|evt.name = 'Send' and net.dip = $e1.net.dip|
