sequence maxspan 30s by ps.pid
  |evt.name = 'QueryDns' and dns.name imatches '*.xyz.'|
  |evt.name = 'Connect' and net.dport not in (80, 443)|
