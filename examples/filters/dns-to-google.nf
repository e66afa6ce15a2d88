net.dip = 8.8.8.8 and net.dport in (53, 853)
