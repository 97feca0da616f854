"""The OCI manifests the moto benchmarks push: image i has its own config and layer digests, so moto
(which derives an image's digest from its layer digests) gives every image a digest of its own."""

import hashlib
import json


def manifest(i: int) -> str:
    config = hashlib.sha256(f"config-{i}".encode()).hexdigest()
    layer = hashlib.sha256(f"layer-{i}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": f"sha256:{config}",
                "size": 1000 + i % 9000,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": f"sha256:{layer}",
                    "size": 1000000 + i,
                }
            ],
        },
        separators=(",", ":"),
    )
