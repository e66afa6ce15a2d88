evt.name in ('Send', 'Recv') and net.dport in (8000..8999, 443) and ps.name not in ('curl', 'wget')
