net.sip.names matches ('*.domain.')
