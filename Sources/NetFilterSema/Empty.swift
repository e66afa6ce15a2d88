enum _NetFilterSemaEmpty {}
