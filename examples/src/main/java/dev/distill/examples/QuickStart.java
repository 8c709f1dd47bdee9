package dev.distill.examples;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Matcher;
import dev.distill.api.MetricSummary;
import dev.distill.api.RunProvenance;
import dev.distill.api.StrengthSchedule;
import dev.distill.core.Version;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.eval.DdRanking;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.eval.Teachers;
import dev.distill.core.filter.ConfidenceConfig;
import dev.distill.core.filter.ConfidenceFilter;
import dev.distill.core.filter.DedupConfig;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.ReferenceIndex;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.Grids;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.match.SoftLabelMatcher;
import dev.distill.core.method.D4M;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.method.RandomReal;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.pipeline.Filters;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import dev.distill.task.method.UniDD;
import dev.distill.task.proxy.ClassifierProxy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * The quick start: distils Fashion-MNIST with the built-in diffusion model using random-real, D4M,
 * Mode-Guided and UniDD, evaluates each set with ConvNet-3 students (hard labels and teacher soft
 * labels) on the full real test set, and prints the table.
 *
 * <pre>
 * ./distill quickstart [--out DIR] [--ipc N | --ipcs 1,10,50] [--full] [--protocol pinned|quick]
 *     [--epochs E] [--seeds S] [--upper-epochs E] [--steps K] [--cfg G] [--threads T] [--methods a,b]
 *     [--d4m-cfg G] [--d4m-strength S] [--mgd-cfg G] [--mgd-gamma G] [--mgd-stop F] [--mgd-modes F]
 *     [--mgd-target CENTROID|NEAREST_REAL] [--unidd-step S] [--unidd-stop F] [--backbone KIND]
 * </pre>
 *
 * <p>The options are parsed and checked by {@code dev.distill.examples.cli.QuickStartCommand};
 * {@link #run(Options)} takes the parsed values. {@code --methods} takes a subset of {@code
 * random-real,d4m,mode-guided,unidd} ({@code none} runs only the whole-train-slice reference).
 *
 * <p>Writes {@code DIR/<method>/} (ImageFolder of 28×28 grayscale PNGs + manifest.json), {@code
 * DIR/<method>-grid.png}, one {@code .eval.json} report per set and label kind, and {@code
 * DIR/results.md} (rewritten after every method). The default is the quick profile (IPC 10, one
 * seed, {@link EvalProtocol#quick()}). {@code --full} runs IPC 1 / 10 / 50 over 3 seeds with the
 * pinned protocol ({@link EvalProtocol#defaults()}: ConvNet-3 width 128, 1000 epochs) unless {@code
 * --protocol quick} is given, and adds the whole-dataset reference: the same student trained with
 * hard labels on every shipped training image for {@code --upper-epochs} epochs (default 20).
 * Reruns resume: finished sets are loaded, not regenerated, and finished evaluations made under the
 * same protocol are read back, not retrained.
 */
public final class QuickStart {
  /** Epochs of the whole-train-slice reference under {@code --full} (40 batches each). */
  public static final int DEFAULT_UPPER_EPOCHS = 20;

  /** The classifier-free guidance scale of UniDD (and the scene tasks). */
  public static final double DEFAULT_CFG = 2.0;

  /**
   * The classifier-free guidance scale of the methods that start from or are held to real
   * prototypes, D4M and Mode-Guided: 4, not 2 — both gain 1.5–2 points from it at IPC 10, while
   * UniDD (free txt2img) loses at 4 (docs/ablations.md).
   */
  public static final double DEFAULT_PROTOTYPE_CFG = 4.0;

  /** The method names {@code --methods} accepts ({@code none}: only the reference row). */
  public static final List<String> METHODS = List.of("random-real", "d4m", "mode-guided", "unidd");

  private QuickStart() {}

  /** Which built-in diffusion model generates the sets. */
  public enum Backbone {
    /** {@link BuiltinModel#fashionMnist()}: the pixel-space UNet. */
    PIXEL,
    /** {@link BuiltinModel#fashionMnistLatent()}: the autoencoder + latent UNet. */
    LATENT
  }

  /** Which evaluation protocol the students are trained with. */
  public enum Protocol {
    /** {@link EvalProtocol#defaults()}: ConvNet-3 width 128, 1000 epochs. */
    PINNED,
    /** {@link EvalProtocol#quick()}: ConvNet-3 width 32, 150 epochs. */
    QUICK
  }

  /**
   * The parsed settings of one quick-start run (the {@code distill quickstart} options, with the
   * {@code --full} defaults already applied).
   *
   * @param out the output folder
   * @param ipcs the images-per-class values to run, each in {@code [1, 1000]}
   * @param protocol the student protocol
   * @param seeds student seeds {@code 0..seeds-1}; 0 keeps the protocol's
   * @param epochs student epochs; 0 keeps the protocol's
   * @param upperEpochs epochs of the whole-train-slice reference row; 0 skips it
   * @param steps sampling steps
   * @param cfg classifier-free guidance scale of UniDD and the scene tasks
   * @param d4mCfg classifier-free guidance scale of D4M
   * @param d4mStrength D4M's img2img strength
   * @param mgdCfg classifier-free guidance scale of Mode-Guided
   * @param threads LibTorch intra-op threads
   * @param uniddStep UniDD's x̂0 step
   * @param uniddStop the fraction of the steps UniDD guides for (1 = every step)
   * @param mgdGamma Mode-Guided pull per step
   * @param mgdStop fraction of the steps Mode-Guided pulls for
   * @param mgdTarget Mode-Guided's mode target
   * @param mgdModes Mode-Guided's modes per class as a fraction of the IPC (1 = K = IPC)
   * @param methods the methods to run, a subset of {@link #METHODS}; empty runs all, {@code none}
   *     only the reference row
   * @param confidence the ALIA-style confidence filter's threshold for the generative methods: a
   *     generated image whose teacher probability of its own class is below it is dropped and
   *     replaced (0 = off)
   * @param backbone the generator: {@link Backbone#PIXEL} ({@link BuiltinModel#fashionMnist()}) or
   *     {@link Backbone#LATENT} ({@link BuiltinModel#fashionMnistLatent()})
   * @param task classification (the default) or the scene tasks, which run {@code SceneQuickStart}
   *     (random-real vs unguided vs UniDD on Fashion-MNIST scenes; {@code ipcs} are then images per
   *     class of the scene's dominant object, {@code upperEpochs} the whole-set row's epochs, 0 = a
   *     quarter of the protocol's)
   * @param taskGuidance the scene tasks' UniDD strength w of s(t) = w·√(1−ᾱ); 0 = the task's
   *     default ({@code SceneQuickStart})
   * @since 0.1.0
   */
  public record Options(
      Path out,
      List<Integer> ipcs,
      Protocol protocol,
      int seeds,
      int epochs,
      int upperEpochs,
      int steps,
      double cfg,
      double d4mCfg,
      double d4mStrength,
      double mgdCfg,
      int threads,
      double uniddStep,
      double uniddStop,
      double mgdGamma,
      double mgdStop,
      ModeGuided.Target mgdTarget,
      double mgdModes,
      List<String> methods,
      double confidence,
      Backbone backbone,
      Task task,
      double taskGuidance) {
    /** Copies the lists. */
    public Options {
      ipcs = List.copyOf(ipcs);
      methods = List.copyOf(methods);
    }
  }

  /** What the distilled sets are for. */
  public enum Task {
    /** Fashion-MNIST classification: the results table of README (the default). */
    CLASSIFICATION,
    /** Fashion-MNIST scenes, boxes and mAP: random-real vs unguided vs UniDD. */
    DETECTION,
    /** Fashion-MNIST scenes, semantic masks and mIoU: random-real vs unguided vs UniDD. */
    SEGMENTATION
  }

  /**
   * Entry point; the same as {@code distill quickstart ARGS}.
   *
   * @param args the {@code distill quickstart} options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("quickstart", args));
  }

  /**
   * Runs the quick start.
   *
   * @param options the settings
   * @throws IOException if the output cannot be written
   * @throws IllegalStateException if {@code out} holds sets from another run
   */
  public static void run(Options options) throws IOException {
    if (options.task() != Task.CLASSIFICATION) {
      SceneQuickStart.run(options);
      return;
    }
    Path out = options.out();
    List<Integer> ipcs = options.ipcs();
    List<String> only = options.methods();
    int steps = options.steps();
    double cfg = options.cfg();
    int upperEpochs = options.upperEpochs();
    EvalProtocol protocol =
        options.protocol() == Protocol.PINNED ? EvalProtocol.defaults() : EvalProtocol.quick();
    if (options.epochs() > 0) {
      protocol = protocol.withEpochs(options.epochs());
    }
    if (options.seeds() > 0) {
      protocol = protocol.withSeeds(LongStream.range(0, options.seeds()).boxed().toList());
    }
    // one intra-op thread: the models are small, and LibTorch's pool collapses when the cores are
    // shared with anything else (README "Memory, threads, devices")
    Threads.set(options.threads());
    Files.createDirectories(out);
    long start = System.nanoTime();
    PrintStream console = System.out;
    List<Row> rows = new ArrayList<>();
    try (TensorScope scope = TensorScope.open();
        LabeledImages train = FashionMnist.train();
        LabeledImages test = FashionMnist.test();
        BuiltinModel model =
            options.backbone() == Backbone.LATENT
                ? BuiltinModel.fashionMnistLatent()
                : BuiltinModel.fashionMnist();
        ConvNet teacher = Teachers.fashionMnist()) {
      // At 28x28 pHash is coarse: among 500 real training images, 4.6% have a test image within
      // Hamming distance 1 and 48% within 5 (measured), so only identical hashes count as leaks.
      DedupFilter dedup = DedupFilter.of(DedupConfig.defaults().withMaxHammingDistance(0));
      try (ReferenceIndex testIndex = dedup.index(test.images())) {
        ClassificationEvaluator evaluator = ClassificationEvaluator.of(protocol, test);
        Map<String, Matcher> matchers = new LinkedHashMap<>();
        matchers.put("hard", HardLabelMatcher.of());
        matchers.put("soft", SoftLabelMatcher.of(teacher, 4.0));
        for (int ipc : ipcs) {
          Map<String, DistillMethod> methods = new LinkedHashMap<>();
          methods.put("random-real", RandomReal.of());
          methods.put("d4m", D4M.defaults().withStrength(options.d4mStrength()));
          methods.put(
              "mode-guided",
              ModeGuided.defaults()
                  .withGamma(options.mgdGamma())
                  .withStopFraction(options.mgdStop())
                  .withTarget(options.mgdTarget())
                  .withModeFraction(options.mgdModes()));
          methods.put(
              "unidd",
              UniDD.classification(ClassifierProxy.of(teacher, 1, 28, 28))
                  .withSchedule(uniddSchedule(options)));
          if (!only.isEmpty()) {
            methods.keySet().retainAll(only);
          }
          for (Map.Entry<String, DistillMethod> m : methods.entrySet()) {
            String name = m.getKey();
            Path dir = out.resolve(ipcs.size() > 1 ? name + "-ipc" + ipc : name);
            console.printf(Locale.ROOT, "%n== %s, IPC %d ==%n", name, ipc);
            Row row = new Row(name, ipc);
            Distill distill =
                Distill.from(train)
                    .method(m.getValue())
                    .sampler(model.sampler())
                    .ipc(ipc)
                    .seed(0)
                    .numSteps(steps)
                    .guidanceScale(cfg(options, name))
                    .batchSize(50)
                    .filter(Filters.dedup(dedup, testIndex))
                    .listener(ConsoleProgress.of(console, "distill " + name));
            if (options.confidence() > 0 && !name.equals("random-real")) {
              // ALIA-style: the teacher must recognise a generated image as its class
              distill.filter(
                  Filters.confidence(
                      ConfidenceFilter.of(
                          x -> teacher.forward(x, false),
                          ConfidenceConfig.defaults().withThreshold(options.confidence()))));
            }
            try (DistillResult r = distill.run(dir)) {
              DistilledSet set = r.set();
              Grids.write(out.resolve(dir.getFileName() + "-grid.png"), set.images(), 10, ipc);
              row.dropped = r.dropped().values().stream().mapToInt(Integer::intValue).sum();
              // a generative set loaded from its folder: its generation time is not known here
              row.seconds =
                  r.generated() == 0 && m.getValue().needsSampler()
                      ? Double.NaN
                      : r.elapsed().toMillis() / 1000.0;
              console.printf(
                  Locale.ROOT,
                  "%n%s: %d images in %s (%.1f s), filters dropped %s%n",
                  name,
                  set.size(),
                  dir,
                  r.elapsed().toMillis() / 1000.0,
                  r.dropped());
              for (Map.Entry<String, Matcher> mt : matchers.entrySet()) {
                EvalReport report =
                    EvalCache.evaluateOnce(
                        out.resolve(dir.getFileName() + "." + mt.getKey() + ".eval.json"),
                        evaluator,
                        set,
                        mt.getValue(),
                        ConsoleProgress.of(console, "train " + mt.getKey()));
                row.results.put(mt.getKey(), report);
                console.printf(
                    Locale.ROOT,
                    "%n%s / %s labels: top-1 %s, top-5 %s%n",
                    name,
                    mt.getKey(),
                    report.metric("top1").format(2),
                    report.metric("top5").format(2));
              }
            }
            rows.add(row);
            AtomicFiles.writeString(
                out.resolve("results.md"),
                table(rows, protocol, teacher, start, model.id() + generation(options)));
          }
        }
        if (upperEpochs > 0) {
          // the whole-dataset reference under the same protocol: the student trained, with hard
          // labels, on every shipped training image (fewer epochs: 40 batches per epoch, not 1–2)
          console.printf(
              Locale.ROOT,
              "%n== whole train slice (%d images), %d epochs ==%n",
              train.size(),
              upperEpochs);
          Row row = new Row("whole train slice", train.size() / train.numClasses());
          row.upperBound = true;
          EvalProtocol upper = protocol.withEpochs(upperEpochs);
          try (DistilledSet all = asSet(train)) {
            row.results.put(
                "hard",
                EvalCache.evaluateOnce(
                    out.resolve("whole-train-slice.hard.eval.json"),
                    ClassificationEvaluator.of(upper, test),
                    all,
                    matchers.get("hard"),
                    ConsoleProgress.of(console, "train whole")));
          }
          rows.add(row);
        }
        String table = table(rows, protocol, teacher, start, model.id() + generation(options));
        console.println();
        console.println(table);
        AtomicFiles.writeString(out.resolve("results.md"), table);
      }
    }
  }

  private static final class Row {
    final String method;
    final int ipc;
    final Map<String, EvalReport> results = new LinkedHashMap<>();
    int dropped;
    double seconds;
    boolean upperBound;

    Row(String method, int ipc) {
      this.method = method;
      this.ipc = ipc;
    }
  }

  private static String table(
      List<Row> rows, EvalProtocol protocol, ConvNet teacher, long start, String generator) {
    StringBuilder b = new StringBuilder();
    b.append("Generator: ").append(generator).append("\n\n");
    b.append(
        "| method | IPC | top-1 hard | top-5 hard | top-1 soft | top-5 soft | dropped | distill s |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %d | %s |%n",
              r.method,
              r.upperBound ? "all (" + r.ipc + ")" : Integer.toString(r.ipc),
              cell(r, "hard", "top1"),
              cell(r, "hard", "top5"),
              cell(r, "soft", "top1"),
              cell(r, "soft", "top5"),
              r.dropped,
              Double.isNaN(r.seconds) ? "cached" : String.format(Locale.ROOT, "%.0f", r.seconds)));
    }
    b.append(ddRanking(rows));
    b.append("\nProtocol: ").append(protocol.toMap()).append('\n');
    rows.stream()
        .filter(r -> r.upperBound)
        .findFirst()
        .ifPresent(
            r ->
                b.append("Whole train slice row: the same protocol with epochs=")
                    .append(r.results.get("hard").protocol().get("epochs"))
                    .append(" on all shipped training images, hard labels.\n"));
    b.append(
            "Whole-dataset reference: the teacher (ConvNet-3 width 64, Adam, 6 epochs on all 60,000 training images) scores ")
        .append(teacherAccuracy())
        .append(" % top-1 on the test set.\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Wall time: %.1f min on %d cores.%n",
            (System.nanoTime() - start) / 60e9,
            Runtime.getRuntime().availableProcessors()));
    return b.toString();
  }

  /** The method's classifier-free guidance scale. */
  private static double cfg(Options o, String method) {
    return switch (method) {
      case "d4m" -> o.d4mCfg();
      case "mode-guided" -> o.mgdCfg();
      default -> o.cfg();
    };
  }

  /** UniDD's x̂0 step, for every step or (stop guidance) the first fraction of them. */
  private static StrengthSchedule uniddSchedule(Options o) {
    StrengthSchedule step = Schedules.x0Step(o.uniddStep());
    return o.uniddStop() >= 1 ? step : Schedules.until(step, o.uniddStop());
  }

  /** The generation settings, for the table's first line. */
  private static String generation(Options o) {
    return String.format(
        Locale.ROOT,
        "; %d sampling steps; D4M CFG %s, strength %s; Mode-Guided CFG %s, γ %s until %s of the"
            + " steps, target %s, modes %s·IPC; UniDD CFG %s, x̂0-step %s until %s of the steps",
        o.steps(),
        o.d4mCfg(),
        o.d4mStrength(),
        o.mgdCfg(),
        o.mgdGamma(),
        o.mgdStop(),
        o.mgdTarget(),
        o.mgdModes(),
        o.cfg(),
        o.uniddStep(),
        o.uniddStop());
  }

  /** The real training images as a set for the evaluator (labels only, no soft labels). */
  private static DistilledSet asSet(LabeledImages data) {
    List<Integer> labels = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      labels.add(data.label(i));
    }
    try (TensorScope scope = TensorScope.open()) {
      return new DistilledSet(
          scope.detach(data.images().clone()),
          labels,
          null,
          data.classNames(),
          new RunProvenance("whole-train-slice", Map.of(), 0, "", Version.get(), Instant.now()));
    }
  }

  private static String teacherAccuracy() {
    String rec = Teachers.fashionMnistRecord();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"testTop1\"\\s*:\\s*([0-9.]+)").matcher(rec);
    return m.find() ? m.group(1) : "(see Teachers.fashionMnistRecord())";
  }

  /**
   * The field's scores (DD-Ranking, {@link DdRanking}) for every generative row that has a
   * random-real row of its IPC: IOR (hard, soft), and with a whole-train-slice row HLR and LRS, all
   * as fractions, mean ± std over seeds.
   */
  private static String ddRanking(List<Row> rows) {
    Row whole = rows.stream().filter(r -> r.upperBound).findFirst().orElse(null);
    StringBuilder b = new StringBuilder();
    for (Row r : rows) {
      if (r.upperBound || r.method.equals("random-real")) {
        continue;
      }
      Row random =
          rows.stream()
              .filter(x -> x.method.equals("random-real") && x.ipc == r.ipc && !x.upperBound)
              .findFirst()
              .orElse(null);
      if (random == null) {
        continue;
      }
      if (b.length() == 0) {
        b.append("\n| method | IPC | IOR hard | IOR soft | HLR | LRS hard | LRS soft |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- |\n");
      }
      MetricSummary iorHard = score(r, random, "hard");
      MetricSummary iorSoft = score(r, random, "soft");
      MetricSummary hlr = null;
      if (whole != null && whole.results.containsKey("hard") && r.results.containsKey("hard")) {
        hlr =
            DdRanking.hlr(
                DdRanking.fraction(whole.results.get("hard").metric("top1")),
                DdRanking.fraction(r.results.get("hard").metric("top1")));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s | %s |%n",
              r.method,
              r.ipc,
              format(iorHard),
              format(iorSoft),
              format(hlr),
              hlr == null || iorHard == null ? "–" : format(DdRanking.lrs(iorHard, hlr)),
              hlr == null || iorSoft == null || iorSoft.values().size() != hlr.values().size()
                  ? "–"
                  : format(DdRanking.lrs(iorSoft, hlr))));
    }
    if (b.length() > 0) {
      b.append("\nIOR = top-1(set) − top-1(random-real, same IPC); HLR = top-1(whole train slice,")
          .append(
              " hard) − top-1(set, hard); LRS = (e^α − e^−1)/(e − e^−1), α = 0.5·IOR − 0.5·HLR;")
          .append(" fractions, paired per seed (DD-Ranking).\n");
    }
    return b.toString();
  }

  private static MetricSummary score(Row set, Row random, String matcher) {
    EvalReport a = set.results.get(matcher);
    EvalReport b = random.results.get(matcher);
    if (a == null || b == null) {
      return null;
    }
    return DdRanking.ior(
        DdRanking.fraction(a.metric("top1")), DdRanking.fraction(b.metric("top1")));
  }

  private static String format(MetricSummary s) {
    if (s == null) {
      return "–";
    }
    return s.values().size() > 1
        ? String.format(Locale.ROOT, "%+.4f ± %.4f", s.mean(), s.std())
        : String.format(Locale.ROOT, "%+.4f", s.mean());
  }

  private static String cell(Row r, String matcher, String metric) {
    EvalReport rep = r.results.get(matcher);
    if (rep == null) {
      return "–";
    }
    MetricSummary s = rep.metric(metric);
    return s.values().size() > 1 ? s.format(2) : String.format(Locale.ROOT, "%.2f", s.mean());
  }
}
