"""TF-IDF + logistic regression baselines for Nabla's text tasks (scikit-learn, seeded 80/20 splits).

Run: /usr/bin/python3 bench/peers/tfidf-baseline.py [--seed 0]   (python3-sklearn 1.2 from Debian)

- appstream categories (134 freedesktop categories, multi-label): TF-IDF of word 1-2-grams +
  one-vs-rest logistic regression (C = 10); micro-F1 on the test part at θ = 0.5 and at the best θ
  of a grid (chosen on the test part itself, so an upper bound for a θ tuned on validation data).
- debian section (58 classes): TF-IDF 1-2-grams of the one-line description + multinomial logistic
  regression (C = 10); test accuracy.
Prints one JSON object per task and, last, one with all the figures.
"""
import argparse
import csv
import gzip
import json
import os
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")


def read_tsv(name):
    csv.field_size_limit(sys.maxsize)
    with gzip.open(os.path.join(DATA, name), "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def appstream(seed):
    rows = read_tsv("appstream-categories.tsv.gz")
    texts = [r["text"] for r in rows]
    labels = MultiLabelBinarizer().fit_transform([r["categories"].split(";") for r in rows])
    x_train, x_test, y_train, y_test = train_test_split(texts, labels, test_size=0.2, random_state=seed)
    start = time.time()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = OneVsRestClassifier(LogisticRegression(C=10, max_iter=1000))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # labels absent from the training part
        model.fit(vectorizer.fit_transform(x_train), y_train)
    p = model.predict_proba(vectorizer.transform(x_test))
    at_half = f1_score(y_test, p >= 0.5, average="micro", zero_division=0)
    grid = np.round(np.arange(0.05, 0.951, 0.05), 2)
    scores = [f1_score(y_test, p >= t, average="micro", zero_division=0) for t in grid]
    best = int(np.argmax(scores))
    return {"task": "appstream-categories", "labels": int(labels.shape[1]), "train": len(x_train), "test": len(x_test),
            "micro_f1_at_0.5": round(float(at_half), 4), "micro_f1_best": round(float(scores[best]), 4),
            "best_threshold": float(grid[best]), "seconds": round(time.time() - start, 1)}


def debian_section(seed):
    rows = read_tsv("debian-packages.tsv.gz")
    texts = [r["description"] for r in rows]
    labels = [r["section"] for r in rows]
    x_train, x_test, y_train, y_test = train_test_split(texts, labels, test_size=0.2, random_state=seed)
    start = time.time()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    model = LogisticRegression(C=10, max_iter=1000)
    model.fit(vectorizer.fit_transform(x_train), y_train)
    accuracy = accuracy_score(y_test, model.predict(vectorizer.transform(x_test)))
    return {"task": "debian-section", "classes": len(set(labels)), "train": len(x_train), "test": len(x_test),
            "accuracy": round(float(accuracy), 4), "seconds": round(time.time() - start, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = []
    for task in (appstream, debian_section):
        results.append(task(args.seed))
        print(json.dumps(results[-1]), flush=True)
    print(json.dumps({"seed": args.seed, "appstream_micro_f1_at_0.5": results[0]["micro_f1_at_0.5"],
                      "appstream_micro_f1_best": results[0]["micro_f1_best"], "appstream_best_threshold": results[0]["best_threshold"],
                      "debian_section_accuracy": results[1]["accuracy"]}))


if __name__ == "__main__":
    main()
