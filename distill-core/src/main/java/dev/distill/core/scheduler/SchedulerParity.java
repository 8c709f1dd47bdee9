package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.Safetensors;
import dev.distill.core.io.SafetensorsDtype;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Golden parity of the schedulers against a {@code schedulers.safetensors} fixture written by
 * diffusers (layout: {@code sdxl-tiny/cases/README.md}).
 *
 * <p>Every case {@code K.nN.*} found in the file is run: scheduler {@code K} is built from the
 * file's {@code __metadata__} entry {@code K.config} (never from constants), started with N steps,
 * and its timesteps, sigmas and {@code init_noise_sigma} are compared, then the trajectory is
 * replayed from {@code x_T_unscaled} with the recorded model outputs (and, for ancestral
 * sampling, the recorded {@code ancestral_noise}), comparing {@code model_input}, {@code
 * prev_sample} and {@code pred_original_sample} at every step. {@code K.alphas_cumprod} and {@code
 * K.final_alpha_cumprod} are compared when present. Tolerances are the fixture README's.
 *
 * <p>Stateless and thread-safe; each call opens and closes its own tensor scope.
 *
 * @since 0.1.0
 */
public final class SchedulerParity {
  /** Relative tolerance for sigmas, {@code init_noise_sigma} and ᾱ (absolute tolerance 0). */
  public static final double SCHEDULE_RTOL = 1e-6;
  /** Absolute tolerance for trajectories ({@code model_input}, {@code prev_sample}, x̂0). */
  public static final double TRAJECTORY_ATOL = 1e-5;
  /** Relative tolerance for trajectories. */
  public static final double TRAJECTORY_RTOL = 1e-5;

  private static final Pattern CASE = Pattern.compile("(.+)\\.n(\\d+)\\.timesteps");

  private SchedulerParity() {}

  /**
   * The comparison of one quantity of one case.
   *
   * @param caseName {@code K.nN}, or {@code K} for per-scheduler tensors
   * @param quantity the tensor compared ({@code timesteps}, {@code prev_sample}, ...)
   * @param maxAbsError the largest |actual - expected| (infinite if the sizes differ)
   * @param atol the absolute tolerance
   * @param rtol the relative tolerance: an element passes if |a - e| &lt;= atol + rtol·|e|
   * @param worstIndex the flat index of the element closest to failing (or failing worst)
   * @param worstRatio |a - e| / (atol + rtol·|e|) at that element: &lt;= 1 passes (0 if exact)
   * @param passed whether every element passed
   * @since 0.1.0
   */
  public record Result(
      String caseName,
      String quantity,
      double maxAbsError,
      double atol,
      double rtol,
      long worstIndex,
      double worstRatio,
      boolean passed) {
    /** Checks the names. */
    public Result {
      checkNotNull(caseName, "caseName");
      checkNotNull(quantity, "quantity");
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%-22s %-21s max|err| %.3e  atol %.0e rtol %.0e  err/tol %.3f  %s",
          caseName,
          quantity,
          maxAbsError,
          atol,
          rtol,
          worstRatio,
          passed ? "ok" : "FAIL at flat index " + worstIndex);
    }
  }

  /**
   * Runs every case of a fixture file.
   *
   * @param schedulersSafetensors the {@code schedulers.safetensors} file
   * @return one result per compared quantity, in case order
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no case, or a case lacks its config or tensors
   */
  public static List<Result> run(Path schedulersSafetensors) throws IOException {
    checkNotNull(schedulersSafetensors, "schedulersSafetensors");
    List<Result> results = new ArrayList<>();
    try (Safetensors file = Safetensors.open(schedulersSafetensors);
        TensorScope scope = TensorScope.open()) {
      Map<String, List<Integer>> cases = discover(file);
      checkArgument(
          !cases.isEmpty(),
          "%s must hold scheduler cases named K.nN.timesteps but has none",
          schedulersSafetensors);
      for (Map.Entry<String, List<Integer>> e : cases.entrySet()) {
        String key = e.getKey();
        Scheduler scheduler = build(file, key);
        results.addAll(checkTables(file, key, scheduler));
        for (int n : e.getValue()) {
          results.addAll(checkCase(file, key, n, scheduler));
        }
      }
    }
    return List.copyOf(results);
  }

  /** Scheduler keys → sorted step counts. */
  private static Map<String, List<Integer>> discover(Safetensors file) {
    Map<String, List<Integer>> cases = new TreeMap<>();
    for (String name : file.names()) {
      Matcher m = CASE.matcher(name);
      if (m.matches()) {
        cases.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
      }
    }
    cases.values().forEach(l -> l.sort(Comparator.naturalOrder()));
    return cases;
  }

  private static Scheduler build(Safetensors file, String key) {
    String json = file.metadata().get(key + ".config");
    checkArgument(
        json != null,
        "%s must have the metadata entry '%s.config' for its cases but does not",
        file.file(),
        key);
    return Schedulers.fromConfig(JsonConfig.parse(file.file() + " metadata " + key + ".config", json));
  }

  private static List<Result> checkTables(Safetensors file, String key, Scheduler scheduler) {
    List<Result> out = new ArrayList<>();
    if (file.contains(key + ".alphas_cumprod")) {
      float[] expected = Tensors.toFloats(file.tensor(key + ".alphas_cumprod"));
      double[] actual = new double[scheduler.numTrainTimesteps()];
      for (int t = 0; t < actual.length; t++) {
        actual[t] = scheduler.alphaCumprod(t);
      }
      out.add(compare(key, "alphas_cumprod", actual, toDoubles(expected), 0, SCHEDULE_RTOL));
    }
    if (file.contains(key + ".final_alpha_cumprod") && scheduler instanceof DdimScheduler) {
      float[] expected = Tensors.toFloats(file.tensor(key + ".final_alpha_cumprod"));
      double[] actual = {((DdimScheduler) scheduler).finalAlphaCumprod()};
      out.add(compare(key, "final_alpha_cumprod", actual, toDoubles(expected), 0, SCHEDULE_RTOL));
    }
    return out;
  }

  private static List<Result> checkCase(Safetensors file, String key, int n, Scheduler scheduler) {
    String name = key + ".n" + n;
    String p = name + ".";
    List<Result> out = new ArrayList<>();
    try (SchedulerRun run = scheduler.start(n);
        TensorScope scope = TensorScope.open()) {
      Tensor timesteps = file.tensor(p + "timesteps");
      double[] expectedT =
          file.info(p + "timesteps").dtype() == SafetensorsDtype.I64
              ? toDoubles(Tensors.toLongs(timesteps))
              : toDoubles(Tensors.toFloats(timesteps));
      int steps = run.timesteps().size();
      out.add(compare(name, "timesteps", toArray(run.timesteps()), expectedT, 0, 0));
      if (file.contains(p + "sigmas")) {
        double[] sigmas = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
          sigmas[i] = run.sigma(i);
        }
        double[] expected = toDoubles(Tensors.toFloats(file.tensor(p + "sigmas")));
        out.add(compare(name, "sigmas", sigmas, expected, 0, SCHEDULE_RTOL));
      }
      double[] expectedInit = toDoubles(Tensors.toFloats(file.tensor(p + "init_noise_sigma")));
      out.add(
          compare(
              name, "init_noise_sigma", new double[] {run.initNoiseSigma()}, expectedInit, 0,
              SCHEDULE_RTOL));
      out.addAll(replay(file, name, run, Math.min(steps, expectedT.length)));
    }
    return out;
  }

  private static List<Result> replay(Safetensors file, String name, SchedulerRun run, int steps) {
    String p = name + ".";
    Tensor modelOutputs = file.tensor(p + "model_output");
    Tensor ancestral = file.contains(p + "ancestral_noise") ? file.tensor(p + "ancestral_noise") : null;
    NoiseSource noise =
        (like, index) -> {
          if (ancestral == null) {
            throw new IllegalStateException(name + " has no ancestral_noise but the step asked for noise");
          }
          return ancestral.select(0, index).clone();
        };
    List<float[]> inputs = new ArrayList<>();
    List<float[]> prevs = new ArrayList<>();
    List<float[]> originals = new ArrayList<>();
    Tensor x = file.tensor(p + "x_T_unscaled").mul(new Scalar(run.initNoiseSigma()));
    for (int k = 0; k < steps; k++) {
      try (TensorScope step = TensorScope.open()) {
        inputs.add(Tensors.toFloats(run.scaleModelInput(x)));
        StepOutput o = run.step(modelOutputs.select(0, k), x, noise);
        prevs.add(Tensors.toFloats(o.prevSample()));
        originals.add(Tensors.toFloats(o.predOriginalSample()));
        x = step.keep(o.prevSample());
      }
    }
    List<Result> out = new ArrayList<>();
    out.add(compareSteps(file, name, "model_input", inputs));
    out.add(compareSteps(file, name, "prev_sample", prevs));
    if (file.contains(p + "pred_original_sample")) {
      out.add(compareSteps(file, name, "pred_original_sample", originals));
    }
    return out;
  }

  private static Result compareSteps(
      Safetensors file, String name, String quantity, List<float[]> actualSteps) {
    double[] expected = toDoubles(Tensors.toFloats(file.tensor(name + "." + quantity)));
    int per = actualSteps.isEmpty() ? 0 : actualSteps.get(0).length;
    double[] actual = new double[per * actualSteps.size()];
    for (int k = 0; k < actualSteps.size(); k++) {
      float[] s = actualSteps.get(k);
      for (int j = 0; j < per; j++) {
        actual[k * per + j] = s[j];
      }
    }
    return compare(name, quantity, actual, expected, TRAJECTORY_ATOL, TRAJECTORY_RTOL);
  }

  /** numpy.allclose-style comparison that also finds the worst element. */
  static Result compare(
      String name, String quantity, double[] actual, double[] expected, double atol, double rtol) {
    if (actual.length != expected.length) {
      return new Result(
          name,
          quantity,
          Double.POSITIVE_INFINITY,
          atol,
          rtol,
          Math.min(actual.length, expected.length),
          Double.POSITIVE_INFINITY,
          false);
    }
    double maxAbs = 0;
    double worstRatio = -1;
    long worst = 0;
    boolean passed = true;
    for (int i = 0; i < actual.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      double tol = atol + rtol * Math.abs(expected[i]);
      boolean ok = diff <= tol; // false for NaN
      double ratio;
      if (ok) {
        ratio = tol == 0 ? 0 : diff / tol;
      } else {
        passed = false;
        ratio = Double.isNaN(diff) || tol == 0 ? Double.POSITIVE_INFINITY : diff / tol;
      }
      maxAbs = Double.isNaN(diff) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, diff);
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = i;
      }
    }
    return new Result(name, quantity, maxAbs, atol, rtol, worst, worstRatio, passed);
  }

  private static double[] toDoubles(float[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  private static double[] toDoubles(long[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  private static double[] toArray(List<Double> values) {
    double[] d = new double[values.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = values.get(i);
    }
    return d;
  }
}
