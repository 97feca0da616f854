"""Set-up of moto's server for the HTTP benchmark (bench/emulator.ts).

Against a running `python3 -m moto.server`, creates the benchmark's 16 repositories and puts N images
with boto3 (image i in repository i % 16 with tag release-i, each with its own OCI manifest, whose
layer digests are distinct, so each image has its own digest). Writes the digest of every image, in
order, as a JSON array to --out, and prints one JSON line with the timings and versions.

moto's put_image slows down as a repository fills, hence the 16 repositories and the time bound.

Run: python3 bench/moto_server_setup.py --port 5000 --images 3000 --out /tmp/digests.json
"""

import argparse
import importlib.metadata
import json
import os
import platform
import sys
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDBENCHMARK0000000")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from moto_manifests import manifest  # noqa: E402 (beside this script)
import botocore  # noqa: E402
from botocore.config import Config  # noqa: E402

REPOSITORY_COUNT = 16


def repository_of(i: int) -> str:
    """The same layout as bench/fixtures.ts: team-<r % 4>/service-<r>."""
    r = i % REPOSITORY_COUNT
    return f"team-{r % 4}/service-{r}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--images", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    client = boto3.client(
        "ecr",
        endpoint_url=f"http://127.0.0.1:{args.port}",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
    )
    for r in range(REPOSITORY_COUNT):
        client.create_repository(repositoryName=repository_of(r))
    started = time.perf_counter()
    deadline = started + args.max_seconds
    digests = []
    for i in range(args.images):
        response = client.put_image(
            repositoryName=repository_of(i),
            imageManifest=manifest(i),
            imageManifestMediaType="application/vnd.oci.image.manifest.v1+json",
            imageTag=f"release-{i}",
        )
        digests.append(response["image"]["imageId"]["imageDigest"])
        if time.perf_counter() > deadline:
            sys.exit(f"put_image of {args.images} images did not finish in {args.max_seconds} s ({i + 1} done)")
    seconds = time.perf_counter() - started
    if len(set(digests)) != len(digests):
        sys.exit(f"moto gave {len(set(digests))} distinct digests for {len(digests)} images")
    with open(args.out, "w") as out:
        json.dump(digests, out)
    print(
        json.dumps(
            {
                "images": len(digests),
                "put_image_seconds": seconds,
                "put_image_per_s": len(digests) / seconds,
                "moto": importlib.metadata.version("moto"),
                "boto3": boto3.__version__,
                "botocore": botocore.__version__,
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
