net.dip in (10.0.0.0/8, fd00::/8) and net.l4.proto = 'TCP' and net.direction = 'egress'
