enum _NetFilterRegexEmpty {}
