"""Checks a SigV4 signature with botocore, an implementation independent of
the one under test. Reads one JSON request on stdin (method, path, headers,
body in base64, credentials, region, service); prints "ok" or what differs."""
import base64
import json
import re
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

r = json.load(sys.stdin)
auth_header = r["headers"]["authorization"]
m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", auth_header)
if not m:
    print("not a SigV4 Authorization header")
    sys.exit(1)
key_id, date, region, service, signed_headers, signature = m.groups()
problems = []
if key_id != r["accessKeyId"]:
    problems.append(f"credential {key_id} is not the expected access key")
if region != r["region"]:
    problems.append(f"region {region} != {r['region']}")
if service != r["service"]:
    problems.append(f"service {service} != {r['service']}")
for required in r.get("mustSign", []):
    if required not in signed_headers.split(";"):
        problems.append(f"{required} is not signed")

headers = {name: r["headers"][name] for name in signed_headers.split(";")}
request = AWSRequest(method=r["method"], url="https://" + r["headers"]["host"] + r["path"], data=base64.b64decode(r["body"]), headers=headers)
request.context["timestamp"] = r["headers"]["x-amz-date"]
signer = SigV4Auth(Credentials(r["accessKeyId"], r["secretAccessKey"], r.get("sessionToken")), service, region)
canonical = signer.canonical_request(request)
expected = signer.signature(signer.string_to_sign(request, canonical), request)
if expected != signature:
    problems.append("signature does not verify")
print("ok" if not problems else "; ".join(problems))
