package dev.distill.examples.cli;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A subcommand that checks its options, builds an options record and runs a {@link Job} with it.
 *
 * <p>Subclasses declare picocli {@code @Option}s, implement {@link #options()} (throwing {@link
 * #invalid} for a bad value, which the CLI prints as one line and exits 2 for) and, where a run can
 * be resumed, {@link #interruptHint}: while the job runs, a shutdown hook prints it on Ctrl-C.
 *
 * <p>Not thread-safe; picocli creates one instance per parse.
 *
 * @param <O> the options record
 * @since 0.1.0
 */
public abstract class JobCommand<O> implements Callable<Integer> {
  /** Injected by picocli: this command's model. */
  @Spec protected CommandSpec spec;

  private final Job<O> job;

  /**
   * A command running {@code job}.
   *
   * @param job the work
   */
  protected JobCommand(Job<O> job) {
    this.job = requireNonNull(job, "job");
  }

  /**
   * Checks the parsed options and builds the record the job takes.
   *
   * @return the options record
   * @throws ParameterException (from {@link #invalid}) if a value is out of range
   */
  protected abstract O options();

  /**
   * What a Ctrl-C during the run keeps and how to go on, or empty if there is nothing to resume.
   *
   * @param options the checked options
   * @return e.g. "finished classes in out/quickstart are kept"
   */
  protected Optional<String> interruptHint(O options) {
    return Optional.empty();
  }

  /**
   * The command that resumes an interrupted run; by default the same command line again.
   *
   * @param options the checked options
   * @return the arguments after {@code distill}
   */
  protected List<String> resumeArgs(O options) {
    return spec.root().commandLine().getParseResult().originalArgs();
  }

  /**
   * Checks the options, then runs the job.
   *
   * @return the job's exit status
   * @throws Exception whatever the job throws
   */
  @Override
  public final Integer call() throws Exception {
    O options = options();
    Optional<String> hint = interruptHint(options);
    Thread hook = null;
    if (hint.isPresent()) {
      String line =
          String.format(
              Locale.ROOT,
              "%n%s: interrupted; %s; to resume, rerun: ./distill %s",
              spec.qualifiedName(),
              hint.get(),
              shellWords(resumeArgs(options)));
      hook = new Thread(() -> System.err.println(line), "distill-interrupt-hint");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      return job.run(options);
    } finally {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is already exiting: the hook runs
        }
      }
    }
  }

  /**
   * The error for a bad option value: the CLI prints {@code "<option> must <expected> but was
   * <value>"} on one line and exits 2.
   *
   * @param option the option name, e.g. {@code --ipc}
   * @param value the value given
   * @param expected what the value must be, e.g. {@code "be between 1 and 1000"}
   * @return the exception, for the caller to throw
   */
  protected final ParameterException invalid(String option, Object value, String expected) {
    return new ParameterException(
        spec.commandLine(), option + " must " + expected + " but was " + value);
  }

  /**
   * Checks {@code min <= value <= max}.
   *
   * @return {@code value}
   */
  protected final int inRange(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw invalid(
          option,
          value,
          max == Integer.MAX_VALUE ? "be at least " + min : "be between " + min + " and " + max);
    }
    return value;
  }

  /**
   * Checks {@code min <= value <= max} and that {@code value} is finite.
   *
   * @return {@code value}
   */
  protected final double inRange(String option, double value, double min, double max) {
    if (!(value >= min && value <= max) || !Double.isFinite(value)) {
      throw invalid(
          option,
          value,
          max == Double.MAX_VALUE
              ? "be a number of at least " + min
              : "be a number between " + min + " and " + max);
    }
    return value;
  }

  /**
   * Checks {@code value > 0} and that it is finite.
   *
   * @return {@code value}
   */
  protected final double positive(String option, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw invalid(option, value, "be a positive number");
    }
    return value;
  }

  /**
   * Checks that {@code folder} is a readable folder holding every one of {@code files}.
   *
   * @return {@code folder}
   */
  protected final Path readableFolder(String option, Path folder, String... files) {
    String expected =
        files.length == 0
            ? "be a readable folder"
            : "be a readable folder holding " + String.join(", ", files);
    if (!Files.isDirectory(folder)) {
      throw invalid(
          option,
          folder,
          expected + " (" + (Files.exists(folder) ? "not a folder" : "no such folder") + ")");
    }
    if (!Files.isReadable(folder)) {
      throw invalid(option, folder, expected + " (not readable)");
    }
    List<String> missing = new ArrayList<>();
    for (String f : files) {
      if (!Files.isReadable(folder.resolve(f))) {
        missing.add(f);
      }
    }
    if (!missing.isEmpty()) {
      throw invalid(option, folder, expected + " (missing " + String.join(", ", missing) + ")");
    }
    return folder;
  }

  /**
   * Checks that {@code file} is a readable regular file.
   *
   * @return {@code file}
   */
  protected final Path readableFile(String option, Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw invalid(
          option,
          file,
          "be a readable file ("
              + (Files.exists(file)
                  ? (Files.isDirectory(file) ? "a folder" : "not readable")
                  : "no such file")
              + ")");
    }
    return file;
  }

  /**
   * Checks that {@code folder} is a writable folder or can be created (its nearest existing parent
   * is a writable folder).
   *
   * @return {@code folder}
   */
  protected final Path writableFolder(String option, Path folder) {
    Path p = folder.toAbsolutePath();
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw invalid(option, folder, "be a folder (it is a file)");
    }
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
      throw invalid(option, folder, "be a writable folder (" + p + " is not writable)");
    }
    return folder;
  }

  /**
   * Checks that {@code file} can be written: not a folder, its nearest existing parent writable.
   *
   * @return {@code file}
   */
  protected final Path writableFile(String option, Path file) {
    if (Files.isDirectory(file)) {
      throw invalid(option, file, "be a file (it is a folder)");
    }
    Path parent = file.toAbsolutePath().getParent();
    while (parent != null && !Files.exists(parent)) {
      parent = parent.getParent();
    }
    if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
      throw invalid(option, file, "be a writable file (" + parent + " is not writable)");
    }
    return file;
  }

  /** The words joined for a shell, single-quoting those that need it. */
  static String shellWords(List<String> words) {
    StringBuilder b = new StringBuilder();
    for (String w : words) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(w.matches("[A-Za-z0-9_./,:=+@%-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
    }
    return b.toString();
  }
}
