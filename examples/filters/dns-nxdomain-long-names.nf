evt.name = 'ReplyDns' and dns.rcode = 'NXDOMAIN' and length(dns.name) > 40
