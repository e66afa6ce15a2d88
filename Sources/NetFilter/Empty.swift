enum _NetFilterEmpty {}
