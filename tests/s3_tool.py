#!/usr/bin/python3
"""Independent S3 helper for lakeforge's tests, built on botocore (Debian python3-botocore).

  s3_tool.py put-tree <local dir> s3://bucket/prefix     upload a folder (hidden files too)
  s3_tool.py get-tree s3://bucket/prefix <local dir>     download every object under a prefix
  s3_tool.py sign <method> <url> <amz-date> [k=v ...]    print botocore's SigV4 Authorization header
                                                          for an S3 request (headers as k=v)
  s3_tool.py start-upload s3://bucket/key               begin a multipart upload, send one part, never finish it
  s3_tool.py list-uploads s3://bucket/prefix             print the key of every unfinished upload under a prefix
Endpoint and credentials come from AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""
import os
import sys

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.session
from botocore.config import Config


def client():
    s = botocore.session.get_session()
    return s.create_client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
                           region_name=os.environ.get("AWS_REGION", "us-east-1"),
                           config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 10}))


def split(uri):
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    return bucket, prefix.rstrip("/")


def put_tree(local, uri):
    bucket, prefix = split(uri)
    c = client()
    for root, _, files in os.walk(local):
        for f in files:
            path = os.path.join(root, f)
            key = prefix + "/" + os.path.relpath(path, local)
            with open(path, "rb") as fh:
                c.put_object(Bucket=bucket, Key=key, Body=fh.read())


def get_tree(uri, local):
    bucket, prefix = split(uri)
    c = client()
    token = None
    while True:
        kw = {"Bucket": bucket, "Prefix": prefix + "/"}
        if token:
            kw["ContinuationToken"] = token
        page = c.list_objects_v2(**kw)
        for o in page.get("Contents", []):
            dest = os.path.join(local, o["Key"][len(prefix) + 1:])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(c.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())
        if not page.get("IsTruncated"):
            break
        token = page["NextContinuationToken"]


def sign(method, url, amz_date, *headers):
    creds = botocore.credentials.Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                                             os.environ.get("AWS_SESSION_TOKEN"))
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=b"")
    for h in headers:
        k, _, v = h.partition("=")
        req.headers[k] = v
    auth = botocore.auth.S3SigV4Auth(creds, "s3", os.environ.get("AWS_REGION", "us-east-1"))
    # add_auth() with a fixed clock: the same steps botocore runs, with our timestamp.
    req.context["timestamp"] = amz_date
    auth._modify_request_before_signing(req)
    canonical = auth.canonical_request(req)
    signature = auth.signature(auth.string_to_sign(req, canonical), req)
    auth._inject_signature_to_request(req, signature)
    print(req.headers["Authorization"])


def start_upload(uri):
    bucket, key = split(uri)
    c = client()
    upload = c.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    c.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1024)


def list_uploads(uri):
    bucket, prefix = split(uri)
    for u in client().list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", []):
        print(u["Key"])


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"put-tree": put_tree, "get-tree": get_tree, "sign": sign, "start-upload": start_upload,
     "list-uploads": list_uploads}[cmd](*args)
