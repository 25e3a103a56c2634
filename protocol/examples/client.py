"""Segment a mesh file with a partfield-bridge daemon using only the Python standard library.

Usage: python3 client.py MESH_FILE [N_CLUSTERS]   (PARTFIELD_URL, PARTFIELD_TOKEN from the environment)
Writes the job's files (GLB, PLY, OBJ, labels.json, PCA) to a new folder named after the mesh.
"""
import json, os, sys, time, urllib.error, urllib.parse, urllib.request

USAGE = "usage: python3 client.py MESH_FILE [N_CLUSTERS]   (N_CLUSTERS: an integer from 1 to 256)"


def call(url, token, method="GET", body=None, content_type=None):
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request) as response:
            return response.read()
    except urllib.error.HTTPError as failure:
        error = json.load(failure)["error"]  # every error body is JSON: {"error": {code, message}}
        raise RuntimeError(f"HTTP {failure.code} {error['code']}: {error['message']}") from None


def new_folder(path):  # chair/ for chair.obj, else chair-2/, chair-3/...: os.mkdir never reuses one
    stem, n = os.path.splitext(os.path.basename(path))[0] or "mesh", 1
    while True:
        try:
            folder = stem if n == 1 else f"{stem}-{n}"
            os.mkdir(folder)
            return folder
        except FileExistsError:
            n += 1


def segment(base, path, n_clusters=None, token=None):
    query = {"filename": os.path.basename(path)}
    if n_clusters is not None:
        query["n_clusters"] = n_clusters
    with open(path, "rb") as mesh:
        url = f"{base}/v1/segment?{urllib.parse.urlencode(query)}"
        job = json.loads(call(url, token, "POST", mesh.read(), "application/octet-stream"))
    while job["state"] in ("queued", "running"):
        time.sleep(0.5)
        job = json.loads(call(f"{base}/v1/jobs/{job['id']}", token))
        print(f"{job['state']} {job['stage'] or ''} {job['progress']:.0%}", file=sys.stderr)
    if job["state"] != "succeeded":
        raise RuntimeError(f"job {job['state']}: {job['error']['message']}")
    result = json.loads(call(f"{base}/v1/jobs/{job['id']}/result", token))
    folder = new_folder(path)
    for file in result["files"]:  # "xb" fails rather than replace an existing file
        with open(os.path.join(folder, os.path.basename(file["name"])), "xb") as out:
            out.write(call(base + file["url"], token))
    return result, folder


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) not in (1, 2) or (len(args) == 2 and not (args[1].isdecimal() and 1 <= int(args[1]) <= 256)):
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    base = os.environ.get("PARTFIELD_URL", "http://127.0.0.1:7860")
    try:
        result, folder = segment(base, args[0], int(args[1]) if len(args) == 2 else None,
                                 os.environ.get("PARTFIELD_TOKEN"))
    except (RuntimeError, OSError) as error:
        sys.exit(f"error: {error}")
    print(json.dumps({"faces": result["faceCount"], "parts": result["partCount"], "labels": result["labels"],
                      "folder": folder, "files": [f["name"] for f in result["files"]]}))
