package dev.distill.examples;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.ImageSize;
import dev.distill.api.MetricSummary;
import dev.distill.api.ProgressListener;
import dev.distill.api.annotation.AnnotationSet;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.io.AnnotatedGrids;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.eval.DetectionEvaluator;
import dev.distill.task.eval.SceneBaselines;
import dev.distill.task.eval.SceneProtocol;
import dev.distill.task.eval.SegmentationEvaluator;
import dev.distill.task.layout.SceneTargets;
import dev.distill.task.method.UniDD;
import dev.distill.task.method.UniDDAnnotations;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.BuiltinProxies;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.LrAsppSegmenter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The detection / segmentation quick start ({@code distill quickstart --task
 * detection|segmentation}): UniDD beyond classification on Fashion-MNIST scenes, end to end.
 *
 * <p>For each budget (images per class; the set has ten times as many images) it builds three sets
 * of the same size and scores each with a fresh student trained on the set's images and annotations
 * only, on real test scenes ({@link SceneProtocol#quickDetection()} / {@link
 * SceneProtocol#quickSegmentation()}):
 *
 * <ul>
 *   <li>{@code random-real}: real training scenes drawn at random ({@link SceneBaselines});
 *   <li>{@code unguided}: the built-in scene model ({@link BuiltinModel#fashionMnistScenes()})
 *       asked for a target layout ã drawn from the training statistics ({@link SceneTargets}),
 *       annotated with ã — generation without the task guidance;
 *   <li>{@code unidd}: the same targets, seeds and model with UniDD's task guidance by the shipped
 *       proxy ({@link BuiltinProxies}).
 * </ul>
 *
 * <p>plus the whole scene training set as the upper reference. Sets are written with their
 * annotations ({@code instances.json} + masks) under {@code OUT/<task>/}, each with a grid PNG
 * (boxes or masks drawn); finished sets and evaluations are reused by a rerun.
 */
final class SceneQuickStart {
  /**
   * The scenes every part of the quick start uses (the proxies' and the model's training config).
   */
  static final SceneConfig SCENES = SceneConfig.defaults();

  /** How many training scenes the target statistics come from. */
  static final int TARGET_STATISTICS = 2_000;

  /** Training scenes of the whole-set reference row. */
  static final int WHOLE_SET = 1_000;

  /**
   * UniDD's default strength w for detection, s(t) = w·√(1−ᾱ): of 0.1, 0.3, 0.6 (3 student seeds,
   * budgets 50 and 100) and 1 (one seed) 0.3 scored best; at 1 some samples blow up into noise
   * (docs/ablations.md).
   */
  static final double DETECTION_GUIDANCE = 0.3;

  /**
   * UniDD's default strength w for segmentation: of 0.3, 1, 3 and 10 (measured like {@link
   * #DETECTION_GUIDANCE}) 3 scored best.
   */
  static final double SEGMENTATION_GUIDANCE = 3.0;

  private SceneQuickStart() {}

  static void run(QuickStart.Options options) throws IOException {
    boolean detection = options.task() == QuickStart.Task.DETECTION;
    String task = detection ? "detection" : "segmentation";
    Path out = options.out().resolve(task);
    Files.createDirectories(out);
    Threads.set(options.threads());
    PrintStream console = System.out;
    long start = System.nanoTime();
    SceneProtocol protocol =
        detection ? SceneProtocol.quickDetection() : SceneProtocol.quickSegmentation();
    if (options.epochs() > 0) {
      protocol = protocol.withEpochs(options.epochs());
    }
    if (options.seeds() > 0) {
      protocol = protocol.withSeeds(LongStream.range(0, options.seeds()).boxed().toList());
    }
    SceneProtocol used = protocol;
    double guidance =
        options.taskGuidance() > 0
            ? options.taskGuidance()
            : detection ? DETECTION_GUIDANCE : SEGMENTATION_GUIDANCE;
    String sampling =
        String.format(
            Locale.ROOT,
            "%d DPM-Solver++ steps, CFG %s, UniDD s(t) = %s·√(1−ᾱ) every step",
            options.steps(),
            options.cfg(),
            guidance);
    List<Row> rows = new ArrayList<>();
    CenterNetDetector detector = detection ? BuiltinProxies.detector() : null;
    LrAsppSegmenter segmenter = detection ? null : BuiltinProxies.segmenter();
    AnnotationTaskProxy proxy = detection ? detector : segmenter;
    try (detector;
        segmenter;
        TensorScope scope = TensorScope.open();
        LabeledImages classes = FashionMnist.train();
        BuiltinModel model = BuiltinModel.fashionMnistScenes()) {
      FashionMnistScenes train = FashionMnistScenes.train(SCENES);
      FashionMnistScenes test = FashionMnistScenes.test(SCENES);
      SceneTargets targets = SceneTargets.fromTraining(train, TARGET_STATISTICS);
      Evaluation evaluation = evaluation(detection, used, test);
      String metric = detection ? "mAP50" : "mIoU";
      String metric2 = detection ? "mAP50_95" : "pixelAccuracy";
      AnnotatedGrids.Overlay overlay =
          detection ? AnnotatedGrids.Overlay.BOXES : AnnotatedGrids.Overlay.MASKS;
      UniDDAnnotations guided =
          (detection ? UniDD.detection(proxy, targets) : UniDD.segmentation(proxy, targets))
              .withSchedule(Schedules.classifierGuidance(guidance));
      for (int ipc : options.ipcs()) {
        int budget = ipc * classes.numClasses();
        for (String name : List.of("random-real", "unguided", "unidd")) {
          Path dir = out.resolve(name + "-ipc" + ipc);
          console.printf(Locale.ROOT, "%n== %s %s, %d images ==%n", task, name, budget);
          Row row = new Row(name, ipc, budget);
          long t0 = System.nanoTime();
          DistilledSet set;
          DistillResult result = null;
          if (name.equals("random-real")) {
            set = SceneBaselines.randomReal(train, budget, 0);
          } else {
            result =
                Distill.from(classes)
                    .method(name.equals("unidd") ? guided : guided.withoutGuidance())
                    .sampler(model.sampler())
                    .ipc(ipc)
                    .seed(0)
                    .numSteps(options.steps())
                    .guidanceScale(options.cfg())
                    .imageSize(ImageSize.square(SCENES.canvasSize()))
                    .outputSize(ImageSize.square(SCENES.canvasSize()))
                    .batchSize(25)
                    .listener(ConsoleProgress.of(console, "distill " + name))
                    .run(dir);
            set = result.set();
          }
          row.seconds = (System.nanoTime() - t0) / 1e9;
          try (DistilledSet owned = result == null ? set : null) {
            AnnotationSet a = set.annotations().orElseThrow();
            AnnotatedGrids.write(
                out.resolve(dir.getFileName() + "-grid.png"),
                set.images(),
                a.images(),
                overlay,
                (budget + 9) / 10,
                10);
            Map<String, String> want = new LinkedHashMap<>(used.toMap());
            want.put("trainImages", Integer.toString(set.size()));
            row.report =
                EvalCache.evaluateOnce(
                    out.resolve(dir.getFileName() + ".eval.json"),
                    want,
                    () -> evaluation.evaluate(set, ConsoleProgress.of(console, "train " + name)));
          } finally {
            if (result != null) {
              result.close();
            }
          }
          console.printf(
              Locale.ROOT,
              "%n%s: %s %s, %s %s%n",
              name,
              metric,
              row.report.metric(metric).format(2),
              metric2,
              row.report.metric(metric2).format(2));
          rows.add(row);
          AtomicFiles.writeString(
              out.resolve("results.md"),
              table(task, rows, used, metric, metric2, start, model.id(), proxy.id(), sampling));
        }
      }
      // the upper reference: every one of WHOLE_SET training scenes, with fewer epochs (ten times
      // the images per epoch) unless --upper-epochs says otherwise
      int upperEpochs =
          options.upperEpochs() > 0 ? options.upperEpochs() : Math.max(1, used.epochs() / 4);
      SceneProtocol upper = used.withEpochs(upperEpochs);
      console.printf(
          Locale.ROOT,
          "%n== %s whole scene set (%d scenes, %d epochs) ==%n",
          task,
          WHOLE_SET,
          upperEpochs);
      Row whole = new Row("whole scene set (" + upperEpochs + " epochs)", 0, WHOLE_SET);
      try (DistilledSet all =
          SceneBaselines.wholeSet(FashionMnistScenes.train(SCENES.withSize(WHOLE_SET)))) {
        Map<String, String> want = new LinkedHashMap<>(upper.toMap());
        want.put("trainImages", Integer.toString(all.size()));
        Evaluation upperEvaluation = evaluation(detection, upper, test);
        whole.report =
            EvalCache.evaluateOnce(
                out.resolve("whole-scene-set.eval.json"),
                want,
                () -> upperEvaluation.evaluate(all, ConsoleProgress.of(console, "train whole")));
      }
      rows.add(whole);
      String table =
          table(task, rows, used, metric, metric2, start, model.id(), proxy.id(), sampling);
      console.println();
      console.println(table);
      AtomicFiles.writeString(out.resolve("results.md"), table);
    }
  }

  /** The task's evaluator under a protocol, on the real test scenes. */
  private static Evaluation evaluation(
      boolean detection, SceneProtocol protocol, FashionMnistScenes test) {
    return detection
        ? (set, listener) -> DetectionEvaluator.of(protocol, test).evaluate(set, listener)
        : (set, listener) -> SegmentationEvaluator.of(protocol, test).evaluate(set, listener);
  }

  /** Scores one set. */
  private interface Evaluation {
    EvalReport evaluate(DistilledSet set, ProgressListener listener) throws IOException;
  }

  private static final class Row {
    final String method;
    final int ipc;
    final int images;
    EvalReport report;
    double seconds;

    Row(String method, int ipc, int images) {
      this.method = method;
      this.ipc = ipc;
      this.images = images;
    }
  }

  private static String table(
      String task,
      List<Row> rows,
      SceneProtocol protocol,
      String metric,
      String metric2,
      long start,
      String modelId,
      String proxyId,
      String sampling) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT, "| %s set | images | %s | %s | build s |%n", task, metric, metric2));
    b.append("|---|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %.0f |%n",
              r.method,
              r.images,
              format(r.report.metric(metric)),
              format(r.report.metric(metric2)),
              r.seconds));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "%nStudents: %s, %s on %d real test scenes (%s). Generator %s, proxy %s; %s. Wall"
                + " %.1f min.%n",
            protocol.epochs() + " epochs",
            "seeds " + protocol.seeds(),
            protocol.testScenes(),
            SCENES,
            modelId,
            proxyId,
            sampling,
            (System.nanoTime() - start) / 60e9));
    return b.toString();
  }

  private static String format(MetricSummary m) {
    return m.format(2);
  }
}
