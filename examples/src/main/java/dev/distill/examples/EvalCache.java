package dev.distill.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Matcher;
import dev.distill.api.ProgressListener;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluates once per output folder: the report is cached as JSON beside the set and reused by a
 * rerun when it was made under the same protocol and matcher, so a killed run resumes without
 * retraining finished students (the quick start's and recipe A's tables).
 */
final class EvalCache {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EvalCache() {}

  static EvalReport evaluateOnce(
      Path cache,
      ClassificationEvaluator evaluator,
      DistilledSet set,
      Matcher matcher,
      ProgressListener listener)
      throws IOException {
    Map<String, String> want = new LinkedHashMap<>(evaluator.protocol().toMap());
    want.put("matcher", matcher.toString());
    want.put("trainImages", Integer.toString(set.size()));
    return evaluateOnce(cache, want, () -> evaluator.evaluate(set, matcher, listener));
  }

  /** An evaluation that may fail with an I/O error. */
  interface Evaluation {
    EvalReport run() throws IOException;
  }

  /**
   * The general form: reuses the cached report when its protocol contains every entry of {@code
   * want}, else runs the evaluation and caches its report (the scene tables' evaluators).
   */
  static EvalReport evaluateOnce(Path cache, Map<String, String> want, Evaluation evaluation)
      throws IOException {
    if (Files.isRegularFile(cache)) {
      try {
        EvalReport old = JSON.readValue(cache.toFile(), EvalReport.class);
        if (old.protocol().entrySet().containsAll(want.entrySet())) {
          return old;
        }
      } catch (IOException e) {
        System.err.println("ignoring unreadable " + cache + ": " + e.getMessage());
      }
    }
    EvalReport report = evaluation.run();
    AtomicFiles.writeString(
        cache, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    return report;
  }
}
