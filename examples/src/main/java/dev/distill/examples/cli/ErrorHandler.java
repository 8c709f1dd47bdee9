package dev.distill.examples.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns parse errors and failed runs into one line on stderr and an exit status.
 *
 * <p>Mistakes in the command line (a value that is not a number, out of range, an unknown name, a
 * missing folder) and an output folder holding another run's results exit 2 with {@code "distill
 * <command>: <option> must <expected> but was <value>"}; any other failure exits 1 with its
 * message, and the stack trace follows only with {@code --verbose}.
 *
 * <p>Stateless and thread-safe.
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    cl.getErr().println(name + ": " + describe(ex) + " (see '" + name + " --help')");
    cl.getErr().flush();
    return CommandLine.ExitCode.USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
    String name = cl.getCommandSpec().qualifiedName();
    Optional<String> otherRun = otherRunsFolder(ex, cl);
    if (otherRun.isPresent()) {
      cl.getErr().println(name + ": " + otherRun.get());
      cl.getErr().flush();
      return CommandLine.ExitCode.USAGE;
    }
    boolean verbose = verbose(cl);
    cl.getErr()
        .println(
            name
                + ": failed: "
                + message(ex)
                + (verbose ? "" : " (--verbose prints the stack trace)"));
    if (verbose) {
      ex.printStackTrace(cl.getErr());
    }
    cl.getErr().flush();
    return CommandLine.ExitCode.SOFTWARE;
  }

  /** One line for a parse error, in the {@code "<option> must <expected> but was <value>"} form. */
  static String describe(ParameterException ex) {
    String message = firstLine(ex.getMessage());
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> suggestions = u.getSuggestions();
      return suggestions.isEmpty()
          ? message
          : message + "; did you mean " + String.join(" or ", suggestions) + "?";
    }
    ArgSpec arg = ex.getArgSpec();
    if (arg != null && ex.getValue() != null && message.startsWith("Invalid value for")) {
      String argName = arg instanceof OptionSpec o ? firstLongName(o) : arg.paramLabel();
      return argName + " must be " + expected(arg) + " but was '" + ex.getValue() + "'";
    }
    return message;
  }

  private static String firstLongName(OptionSpec o) {
    for (String n : o.names()) {
      if (n.startsWith("--")) {
        return n;
      }
    }
    return o.longestName();
  }

  private static String expected(ArgSpec arg) {
    Class<?>[] aux = arg.auxiliaryTypes();
    Class<?> type = aux.length > 0 ? aux[0] : arg.type();
    String one;
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      one = "an integer";
    } else if (type == double.class || type == Double.class || type == float.class) {
      one = "a number";
    } else if (type.isEnum()) {
      one = "one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT);
    } else {
      one = "a " + type.getSimpleName();
    }
    return arg.splitRegex().isEmpty() ? one : "a comma-separated list of " + plural(one);
  }

  private static String plural(String one) {
    return switch (one) {
      case "an integer" -> "integers";
      case "a number" -> "numbers";
      default -> one;
    };
  }

  /**
   * Distill's refusal to mix runs in one output folder ({@code IllegalStateException} "... from
   * another run ..."), phrased against the command's {@code --out}.
   */
  static Optional<String> otherRunsFolder(Throwable ex, CommandLine cl) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof IllegalStateException
          && t.getMessage() != null
          && t.getMessage().contains("from another run")) {
        OptionSpec out = cl.getCommandSpec().findOption("--out");
        String prefix =
            out == null
                ? ""
                : "--out must be a new folder or one this same command wrote but was "
                    + out.getValue()
                    + ": ";
        return Optional.of(prefix + firstLine(t.getMessage()));
      }
    }
    return Optional.empty();
  }

  /** The failure's message, with the kind of error when the message alone would be unclear. */
  static String message(Throwable ex) {
    Throwable t = ex;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof NoSuchFileException) {
      return "no such file: " + t.getMessage();
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied: " + t.getMessage();
    }
    if (t.getMessage() == null) {
      return t.getClass().getSimpleName();
    }
    return firstLine(t.getMessage());
  }

  private static boolean verbose(CommandLine cl) {
    for (CommandLine c = cl; c != null; c = c.getParent()) {
      ParseResult pr = c.getParseResult();
      if (pr != null && pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
