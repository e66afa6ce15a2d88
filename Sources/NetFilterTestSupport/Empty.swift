enum _NetFilterTestSupportEmpty {}
