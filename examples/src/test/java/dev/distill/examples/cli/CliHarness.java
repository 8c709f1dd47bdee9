package dev.distill.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Runs {@code distill} in-process with every job replaced by a recorder, capturing stdout, stderr,
 * the exit status and the options the job would have received.
 */
final class CliHarness {
  /** What the recording job does when called. */
  interface Behaviour {
    int run(Object options) throws Exception;
  }

  /** One run's outcome. */
  record Result(int exitCode, String out, String err, List<Object> jobOptions) {
    /** The options the job got (exactly one call). */
    <O> O options(Class<O> type) {
      if (jobOptions.size() != 1) {
        throw new AssertionError("job called " + jobOptions.size() + " times; stderr: " + err);
      }
      return type.cast(jobOptions.get(0));
    }

    /** stderr's lines. */
    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
    }
  }

  private CliHarness() {}

  static Result run(String... args) {
    return run(options -> 0, args);
  }

  static Result run(Behaviour behaviour, String... args) {
    List<Object> calls = new ArrayList<>();
    IFactory factory =
        new IFactory() {
          @Override
          @SuppressWarnings({"unchecked", "rawtypes"})
          public <K> K create(Class<K> cls) throws Exception {
            if (JobCommand.class.isAssignableFrom(cls)) {
              Constructor<K> c = cls.getDeclaredConstructor(Job.class);
              Job job =
                  options -> {
                    calls.add(options);
                    return behaviour.run(options);
                  };
              return c.newInstance(job);
            }
            return CommandLine.defaultFactory().create(cls);
          }
        };
    CommandLine cl = DistillCli.commandLine(factory);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString(), calls);
  }
}
