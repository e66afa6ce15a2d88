net_packet_tcp.data.dst_port=80
