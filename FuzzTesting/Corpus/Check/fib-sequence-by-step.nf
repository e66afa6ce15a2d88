sequence
|evt.name = 'Connect'| by ps.uuid
|evt.name = 'Send'| by ps.uuid
|evt.name = 'Disconnect'| by ps.uuid