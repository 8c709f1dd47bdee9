# Generates pycocotools-cases.json: random box detection cases with pycocotools COCOeval results
# (stats[0..2]: mAP@[.5:.95], mAP@0.5, mAP@0.75). Run: pip install pycocotools; python3 pycocotools_cases.py pycocotools-cases.json
# Used by DetectionMetricsParityTest (distill-task); generated with pycocotools 2.0.11, numpy 2.4.6.
import json, random, io, contextlib, sys
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
out = []
for seed in range(40):
    r = random.Random(seed)
    k = 1 + r.randrange(3)
    cats = [{"id": c, "name": "c%d" % c} for c in range(1, k + 1)]
    images, anns, dets = [], [], []
    aid = 1
    for i in range(1, 2 + r.randrange(5)):
        images.append({"id": i, "file_name": "%d.png" % i, "width": 100, "height": 100})
        for _ in range(r.randrange(6)):
            c = 1 + r.randrange(k)
            b = [r.randrange(60), r.randrange(60), 5 + r.randrange(35), 5 + r.randrange(35)]
            anns.append({"id": aid, "image_id": i, "category_id": c, "bbox": b, "area": b[2] * b[3], "iscrowd": 0}); aid += 1
            for _ in range(r.randrange(3)):  # 0-2 detections near it (duplicates possible)
                j = [round(b[0] + r.uniform(-4, 4), 2), round(b[1] + r.uniform(-4, 4), 2), round(b[2] + r.uniform(-5, 5), 2), round(b[3] + r.uniform(-5, 5), 2)]
                j[0] = max(0, j[0]); j[1] = max(0, j[1]); j[2] = max(1, j[2]); j[3] = max(1, j[3])
                dets.append({"image_id": i, "category_id": c if r.random() < 0.9 else 1 + r.randrange(k), "bbox": j, "score": round(r.random(), 2)})
        for _ in range(r.randrange(3)):
            j = [round(r.uniform(0, 60), 2), round(r.uniform(0, 60), 2), round(r.uniform(5, 40), 2), round(r.uniform(5, 40), 2)]
            dets.append({"image_id": i, "category_id": 1 + r.randrange(k), "bbox": j, "score": round(r.random(), 2)})
    case = {"seed": seed, "categories": cats, "images": images, "annotations": anns, "detections": dets}
    if dets and anns:
        gt = COCO(); gt.dataset = {"images": images, "annotations": anns, "categories": cats}
        with contextlib.redirect_stdout(io.StringIO()):
            gt.createIndex(); dt = gt.loadRes(dets)
            e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
        case["expected"] = [float(e.stats[0]), float(e.stats[1]), float(e.stats[2])]
        out.append(case)
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else "cases.json", "w"), separators=(",", ":"))
print(len(out), "cases")
