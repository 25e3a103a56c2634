"""Reference Ward clustering with scikit-learn for daemon/bench/sklearn-compare.ts.

Reads cases written by the TypeScript side, one folder each with meta.json, features.f32,
offsets.u32, neighbors.u32, ours.i32 and merges.i32. Prints one JSON line per case: the
adjusted Rand index between our labels and scikit-learn's for each k listed in meta.json,
scikit-learn's fit time (wall and CPU), and whether both produced the same merge sequence.

scikit-learn's labels come from one AgglomerativeClustering(linkage='ward', connectivity=graph)
fit with compute_full_tree=True, cut at each k with the same _hc_cut that fit() itself uses for
labels_, so each k's labels equal those of a fit with n_clusters=k.

Run with Debian's interpreter, which has python3-sklearn: /usr/bin/python3 sklearn_reference.py DIR
"""

import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering
from sklearn.cluster._agglomerative import _hc_cut
from sklearn.metrics import adjusted_rand_score


def load_case(folder):
    with open(os.path.join(folder, "meta.json")) as handle:
        meta = json.load(handle)
    count, dim, ks = meta["count"], meta["dim"], meta["ks"]
    features = np.fromfile(os.path.join(folder, "features.f32"), dtype=np.float32).reshape(count, dim)
    offsets = np.fromfile(os.path.join(folder, "offsets.u32"), dtype=np.uint32).astype(np.int64)
    neighbors = np.fromfile(os.path.join(folder, "neighbors.u32"), dtype=np.uint32).astype(np.int64)
    graph = sp.csr_matrix((np.ones(len(neighbors)), neighbors, offsets), shape=(count, count))
    ours = np.fromfile(os.path.join(folder, "ours.i32"), dtype=np.int32).reshape(len(ks), count)
    merges = np.fromfile(os.path.join(folder, "merges.i32"), dtype=np.int32).reshape(-1, 2)
    return meta, features, graph, ours, merges


def compare(folder):
    meta, features, graph, ours, merges = load_case(folder)
    model = AgglomerativeClustering(n_clusters=2, linkage="ward", connectivity=graph, compute_full_tree=True)
    start = time.perf_counter()
    cpu_start = time.process_time()
    model.fit(features)
    cpu_seconds = time.process_time() - cpu_start
    seconds = time.perf_counter() - start

    scores = []
    for row, k in enumerate(meta["ks"]):
        theirs = _hc_cut(k, model.children_, model.n_leaves_)
        scores.append(float(adjusted_rand_score(ours[row], theirs)))
    same_merges = bool(merges.shape == model.children_.shape and np.array_equal(merges, model.children_))
    return {"name": meta["name"], "seconds": seconds, "cpuSeconds": cpu_seconds, "ari": scores, "sameMerges": same_merges}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: sklearn_reference.py CASES_DIR")
    root = sys.argv[1]
    for entry in sorted(os.listdir(root)):
        folder = os.path.join(root, entry)
        if os.path.isfile(os.path.join(folder, "meta.json")):
            print(json.dumps(compare(folder)), flush=True)


if __name__ == "__main__":
    main()
