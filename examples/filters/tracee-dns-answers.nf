net_packet_dns.data.proto_dns.answers.MX.name endswith '.example.test' or net_packet_dns.data.proto_dns.answers.TXT contains 'spf'
