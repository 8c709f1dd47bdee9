package dev.distill.examples;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Matcher;
import dev.distill.api.MetricSummary;
import dev.distill.core.augment.DsaConfig;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.eval.ClassifierTrainer;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.eval.LrSchedule;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.eval.Teachers;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.filter.DedupConfig;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.ReferenceIndex;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.match.GradientStatistic;
import dev.distill.core.match.GradientStatisticsMatcher;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.match.SoftLabelMatcher;
import dev.distill.core.method.D4M;
import dev.distill.core.method.MixedReal;
import dev.distill.core.method.RandomReal;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.pipeline.Filters;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import dev.distill.task.method.UniDD;
import dev.distill.task.proxy.ClassifierProxy;
import dev.distill.task.proxy.ProxyEnsemble;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The recipe-A comparison (issue 16, {@code docs/recipe-a.md}) on Fashion-MNIST with the built-in
 * model: D4M sets at each IPC evaluated with hard labels, teacher soft labels and the
 * training-behaviour matcher ({@link GradientStatisticsMatcher}); UniDD at IPC 10 guided by one
 * proxy and by an ensemble of three; and D4M at IPC 10 with a fraction of real images mixed in
 * ({@link MixedReal}).
 *
 * <pre>
 * ./distill recipe-a [--out DIR] [--ipcs 1,10,50] [--epochs E] [--grad-weight W]
 *     [--real-per-class R] [--statistics MEAN,VARIANCE] [--mix-fraction F] [--threads T]
 * </pre>
 *
 * <p>Roles are kept apart: the soft-label teacher is {@link Teachers#fashionMnist()}; the UniDD
 * guidance proxies are three ConvNets trained here on the 10,000-image training slice with their
 * own seeds (never the teacher, never a student); the evaluation students are fresh ConvNet-3s of
 * {@link EvalProtocol#quick()}. The matcher's real reference split and the mixed-in real images
 * come from the training slice; the test set is only scored (and used by the leak filter). Reruns
 * resume: sets, proxies and evaluations already in {@code DIR} are reused.
 */
public final class RecipeA {
  /** Epochs of each guidance proxy on the 10,000-image training slice. */
  static final int PROXY_EPOCHS = 1;

  private RecipeA() {}

  /**
   * The parsed settings.
   *
   * @param out the output folder
   * @param ipcs IPC values of the matcher comparison
   * @param epochs student epochs (0: the quick profile's 150)
   * @param gradWeight weight of the gradient-statistics term
   * @param realPerClass real reference images per class of the matcher
   * @param statistics the compared gradient statistics
   * @param mixFraction share of real images in the mixed set
   * @param steps sampling steps
   * @param threads LibTorch intra-op threads
   * @param parts which rows to run
   * @since 0.1.0
   */
  public record Options(
      Path out,
      List<Integer> ipcs,
      int epochs,
      double gradWeight,
      int realPerClass,
      Set<GradientStatistic> statistics,
      double mixFraction,
      int steps,
      int threads,
      Set<Part> parts) {
    /** Copies the collections. */
    public Options {
      ipcs = List.copyOf(ipcs);
      statistics = Set.copyOf(statistics);
      parts = Set.copyOf(parts);
    }
  }

  /** The parts of the comparison ({@code --parts}); two processes may run different parts. */
  public enum Part {
    /** D4M at every IPC with hard, soft and gradient-statistics labels. */
    MATCHERS,
    /** D4M at IPC 10 with real images mixed in. */
    MIXING,
    /** UniDD at IPC 10 with one proxy and with an ensemble of three. */
    PROXIES
  }

  /**
   * Entry point; the same as {@code distill recipe-a ARGS}.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("recipe-a", args));
  }

  /**
   * Runs the comparison and writes {@code DIR/results.md} after every row.
   *
   * @param o the settings
   * @throws IOException if the output cannot be written
   */
  public static void run(Options o) throws IOException {
    Threads.set(o.threads());
    Path out = o.out();
    Files.createDirectories(out);
    EvalProtocol protocol = EvalProtocol.quick();
    if (o.epochs() > 0) {
      protocol = protocol.withEpochs(o.epochs());
    }
    PrintStream console = System.out;
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    try (TensorScope scope = TensorScope.open();
        LabeledImages train = FashionMnist.train();
        LabeledImages test = FashionMnist.test();
        BuiltinModel model = BuiltinModel.fashionMnist();
        ConvNet teacher = Teachers.fashionMnist();
        GradientStatisticsMatcher grad =
            GradientStatisticsMatcher.builder(HardLabelMatcher.of(), train)
                .weight(o.gradWeight())
                .realPerClass(o.realPerClass())
                .statistics(o.statistics())
                .seed(0)
                .build()) {
      DedupFilter dedup = DedupFilter.of(DedupConfig.defaults().withMaxHammingDistance(0));
      try (ReferenceIndex testIndex = dedup.index(test.images())) {
        ClassificationEvaluator evaluator = ClassificationEvaluator.of(protocol, test);
        Map<String, Matcher> all = new LinkedHashMap<>();
        all.put("hard", HardLabelMatcher.of());
        all.put("soft", SoftLabelMatcher.of(teacher, 4.0));
        all.put("grad", grad);
        // the mixing and proxy rows are scored with hard labels only (CPU time)
        Map<String, Matcher> labelsOnly = Map.of("hard", HardLabelMatcher.of());
        Ctx ctx = new Ctx(out, train, model, dedup, testIndex, evaluator, o.steps(), console);
        String roles =
            "teacher (soft labels): Teachers.fashionMnist() ("
                + teacher.name()
                + ", width 64, 60k images); evaluation students: fresh "
                + protocol.student().displayName()
                + " per seed "
                + protocol.seeds()
                + "; matcher reference and mixed-in real images: the training slice; test set:"
                + " scored and leak-filtered against only.";
        // cheap rows first: the matchers at IPC 10 and 1, then mixing and the proxies, IPC 50 last
        List<Integer> ipcs = new ArrayList<>(o.ipcs());
        ipcs.sort((a, b) -> a == 10 ? -1 : b == 10 ? 1 : Integer.compare(a, b));
        boolean proxiesDone = false;
        boolean matchers = o.parts().contains(Part.MATCHERS);
        if (!o.parts().contains(Part.PROXIES)) {
          proxiesDone = true;
        }
        if (!matchers && o.parts().contains(Part.MIXING)) {
          rows.add(
              ctx.row(
                  "d4m-mixed",
                  "D4M + " + o.mixFraction() + " real (random)",
                  10,
                  MixedReal.of(D4M.defaults(), o.mixFraction(), RandomReal.of()),
                  labelsOnly));
          write(out, rows, protocol, roles, grad, start);
        }
        for (int ipc : matchers ? ipcs : List.<Integer>of()) {
          if (ipc > 10 && !proxiesDone) {
            roles = proxyRows(ctx, o, rows, protocol, roles, grad, start, labelsOnly);
            proxiesDone = true;
          }
          rows.add(ctx.row("d4m", "D4M", ipc, D4M.defaults(), all));
          write(out, rows, protocol, roles, grad, start);
          if (ipc == 10 && o.parts().contains(Part.MIXING)) {
            rows.add(
                ctx.row(
                    "d4m-mixed",
                    "D4M + " + o.mixFraction() + " real (random)",
                    10,
                    MixedReal.of(D4M.defaults(), o.mixFraction(), RandomReal.of()),
                    labelsOnly));
            write(out, rows, protocol, roles, grad, start);
          }
        }
        if (!proxiesDone) {
          roles = proxyRows(ctx, o, rows, protocol, roles, grad, start, labelsOnly);
        }
        console.println(table(rows, protocol, roles, grad, start));
      }
    }
  }

  /** UniDD at IPC 10 with one proxy and with three; returns the roles line with the proxies. */
  private static String proxyRows(
      Ctx ctx,
      Options o,
      List<Row> rows,
      EvalProtocol protocol,
      String roles,
      GradientStatisticsMatcher grad,
      long start,
      Map<String, Matcher> matchers)
      throws IOException {
    Path out = ctx.out();
    try (ConvNet p1 = proxy(out, ctx.train(), 32, 3, 11, ctx.console());
        ConvNet p2 = proxy(out, ctx.train(), 32, 3, 12, ctx.console());
        ConvNet p3 = proxy(out, ctx.train(), 16, 2, 13, ctx.console())) {
      ClassifierProxy a = ClassifierProxy.of(p1, 1, 28, 28).withId("convnet-w32-d3-seed11");
      ClassifierProxy b = ClassifierProxy.of(p2, 1, 28, 28).withId("convnet-w32-d3-seed12");
      ClassifierProxy c = ClassifierProxy.of(p3, 1, 28, 28).withId("convnet-w16-d2-seed13");
      String withProxies =
          roles
              + " UniDD guidance proxies: "
              + ProxyEnsemble.of(a, b, c).id()
              + " (trained here on the 10k training slice, Adam 1e-3, "
              + PROXY_EPOCHS
              + " epoch(s), no augmentation; the single-proxy row uses the first; none is the"
              + " teacher or a student).";
      rows.add(
          ctx.row(
              "unidd-single",
              "UniDD, 1 proxy",
              10,
              UniDD.classification(a).withSchedule(Schedules.x0Step(3.0)),
              matchers));
      write(out, rows, protocol, withProxies, grad, start);
      rows.add(
          ctx.row(
              "unidd-ensemble",
              "UniDD, ensemble of 3",
              10,
              UniDD.classification(ProxyEnsemble.of(a, b, c)).withSchedule(Schedules.x0Step(3.0)),
              matchers));
      write(out, rows, protocol, withProxies, grad, start);
      return withProxies;
    }
  }

  private static void write(
      Path out,
      List<Row> rows,
      EvalProtocol protocol,
      String roles,
      GradientStatisticsMatcher grad,
      long start)
      throws IOException {
    AtomicFiles.writeString(out.resolve("results.md"), table(rows, protocol, roles, grad, start));
  }

  /** Trains (or loads) one guidance proxy on the training slice. */
  private static ConvNet proxy(
      Path out, LabeledImages train, int width, int depth, long seed, PrintStream console)
      throws IOException {
    Path file =
        out.resolve("proxies/convnet-w" + width + "-d" + depth + "-seed" + seed + ".safetensors");
    if (Files.isRegularFile(file)) {
      return ConvNet.load(file);
    }
    Files.createDirectories(file.getParent());
    TrainConfig config =
        new TrainConfig(
            OptimizerKind.ADAM,
            1e-3,
            0.9,
            0.0,
            PROXY_EPOCHS,
            256,
            LrSchedule.COSINE,
            0.1,
            DsaConfig.none());
    ConvNet net =
        ConvNet.of(ConvNetConfig.of(1, 28, 28, 10).withNetWidth(width).withNetDepth(depth), seed);
    ClassifierTrainer.of(config)
        .train(
            net,
            train.images(),
            train.labels(),
            HardLabelMatcher.of(),
            seed,
            ConsoleProgress.of(console, "proxy seed " + seed),
            "proxy");
    net.save(file);
    return net;
  }

  private record Ctx(
      Path out,
      LabeledImages train,
      BuiltinModel model,
      DedupFilter dedup,
      ReferenceIndex testIndex,
      ClassificationEvaluator evaluator,
      int steps,
      PrintStream console) {

    Row row(String key, String label, int ipc, DistillMethod method, Map<String, Matcher> matchers)
        throws IOException {
      Path dir = out.resolve(key + "-ipc" + ipc);
      console.printf(Locale.ROOT, "%n== %s, IPC %d ==%n", label, ipc);
      Row row = new Row(label, ipc);
      try (DistillResult r =
          Distill.from(train)
              .method(method)
              .sampler(model.sampler())
              .ipc(ipc)
              .seed(0)
              .numSteps(steps)
              .guidanceScale(2.0)
              .batchSize(50)
              .filter(Filters.dedup(dedup, testIndex))
              .listener(ConsoleProgress.of(console, "distill " + key))
              .run(dir)) {
        DistilledSet set = r.set();
        String sources = set.provenance().config().get("imageSources");
        row.realImages = sources == null ? 0 : sources.split("\"real:", -1).length - 1;
        for (Map.Entry<String, Matcher> m : matchers.entrySet()) {
          EvalReport rep =
              EvalCache.evaluateOnce(
                  out.resolve(dir.getFileName() + "." + m.getKey() + ".eval.json"),
                  evaluator,
                  set,
                  m.getValue(),
                  ConsoleProgress.of(console, "train " + m.getKey()));
          row.results.put(m.getKey(), rep);
          console.printf(
              Locale.ROOT,
              "%s / %s: top-1 %s (train %.0f s)%n",
              label,
              m.getKey(),
              rep.metric("top1").format(2),
              rep.metric("trainSeconds").mean());
        }
      }
      return row;
    }
  }

  private static final class Row {
    final String method;
    final int ipc;
    final Map<String, EvalReport> results = new LinkedHashMap<>();
    int realImages;

    Row(String method, int ipc) {
      this.method = method;
      this.ipc = ipc;
    }
  }

  private static String table(
      List<Row> rows,
      EvalProtocol protocol,
      String roles,
      GradientStatisticsMatcher grad,
      long start) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| set | IPC | real images | top-1 hard | top-1 soft | top-1 grad-stats |"
            + " train s hard / soft / grad-stats |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %s | %s | %s | %s / %s / %s |%n",
              r.method,
              r.ipc,
              r.realImages,
              cell(r, "hard", "top1"),
              cell(r, "soft", "top1"),
              cell(r, "grad", "top1"),
              cell(r, "hard", "trainSeconds"),
              cell(r, "soft", "trainSeconds"),
              cell(r, "grad", "trainSeconds")));
    }
    b.append("\nProtocol: ").append(protocol.toMap()).append('\n');
    b.append("grad-stats matcher: ").append(grad).append('\n');
    b.append("Roles: ").append(roles).append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "Wall time: %.1f min on %d cores.%n",
            (System.nanoTime() - start) / 60e9,
            Runtime.getRuntime().availableProcessors()));
    return b.toString();
  }

  private static String cell(Row r, String matcher, String metric) {
    EvalReport rep = r.results.get(matcher);
    if (rep == null) {
      return "–";
    }
    MetricSummary s = rep.metric(metric);
    return metric.equals("trainSeconds")
        ? String.format(Locale.ROOT, "%.0f", s.mean())
        : s.values().size() > 1 ? s.format(2) : String.format(Locale.ROOT, "%.2f", s.mean());
  }
}
