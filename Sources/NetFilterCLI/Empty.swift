enum _NetFilterCLIEmpty {}
