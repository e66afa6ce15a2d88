sequence maxspan 40h
|evt.name = 'Connect'|
|evt.name = 'Send'| by ps.pid