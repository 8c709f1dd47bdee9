package dev.distill.core.pipeline;

import dev.distill.core.data.LabeledImages;
import dev.distill.core.io.WriteFaults;
import dev.distill.core.tensor.TensorScope;
import java.nio.file.Path;

/**
 * A child JVM for the fault tests: runs {@link FaultRuns#distill} on a folder and dies hard ({@link
 * Runtime#halt}: no finally blocks, no shutdown hooks, like {@code kill -9}) at a kill point, or
 * sleeps at each class to overlap with another process.
 *
 * <p>Arguments: {@code <out> none} | {@code <out> point <POINT> <class> <index>} | {@code <out>
 * write <index> <bytes>} | {@code <out> slow <millis per class>} | {@code <out> gated <file>}
 * (holds class 0 until the file exists). Prints {@code progress: <message>} lines and, at the end,
 * {@code resumed=<classes>}.
 */
public final class KillableRun {
  /** The exit code of a simulated kill. */
  static final int KILLED = 137;

  private KillableRun() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String mode = args[1];
    try (TensorScope scope = TensorScope.open();
        LabeledImages data = FaultRuns.data()) {
      Distill d =
          FaultRuns.distill(data).listener(p -> System.out.println("progress: " + p.message()));
      WriteFaults faults = null;
      d.faults(KillableRun::announce);
      switch (mode) {
        case "point" -> {
          FaultInjector.Point point = FaultInjector.Point.valueOf(args[2]);
          int c = Integer.parseInt(args[3]);
          int i = Integer.parseInt(args[4]);
          d.faults(
              (p, classId, index) -> {
                announce(p, classId, index);
                if (p == point && classId == c && index == i) {
                  halt();
                }
              });
        }
        case "write" ->
            faults =
                WriteFaults.failWrite(
                    Integer.parseInt(args[2]), Long.parseLong(args[3]), dest -> halt());
        case "slow" -> {
          long millis = Long.parseLong(args[2]);
          d.faults(
              (p, classId, index) -> {
                announce(p, classId, index);
                if (p == FaultInjector.Point.CLASS_STARTED) {
                  ClassLock.sleep(millis);
                }
              });
        }
        case "gated" -> { // hold class 0 until the gate file exists
          Path gate = Path.of(args[2]);
          d.faults(
              (p, classId, index) -> {
                announce(p, classId, index);
                while (p == FaultInjector.Point.CLASS_STARTED
                    && classId == 0
                    && !java.nio.file.Files.exists(gate)) {
                  ClassLock.sleep(20);
                }
              });
        }
        default -> {}
      }
      try (DistillResult r = d.run(out)) {
        System.out.println("resumed=" + r.resumedClasses());
      } finally {
        if (faults != null) {
          faults.close();
        }
      }
    }
    System.out.flush();
  }

  private static void announce(FaultInjector.Point p, int classId, int index) {
    if (p == FaultInjector.Point.CLASS_STARTED) {
      System.out.println("started class " + classId);
    }
  }

  private static void halt() {
    System.out.println("halting");
    System.out.flush();
    Runtime.getRuntime().halt(KILLED);
  }
}
