net_packet_http_request.data.http_request.method=GET,HEAD and net_packet_http_request.data.http_request.host=*.example.com
