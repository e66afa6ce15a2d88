net_packet_dns.data.src=8.8.8.8
