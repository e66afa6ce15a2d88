"""Fetches a Prometheus endpoint and parses it with prometheus_client's text parser (which raises on
malformed exposition text); prints one JSON object: {"name{label=value,...}": value}."""

import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode("utf-8")
samples = {}
for family in text_string_to_metric_families(text):
    for sample in family.samples:
        labels = ",".join("%s=%s" % item for item in sorted(sample.labels.items()))
        samples["%s{%s}" % (sample.name, labels)] = sample.value
print(json.dumps(samples))
