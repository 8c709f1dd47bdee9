package dev.distill.task;

import dev.distill.api.GuidanceTerm;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.GuidanceTermContract;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.proxy.ClassifierProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** UniDD's term honours the api's guidance contract (targets from each sample's class). */
@Covers(TaskLossGuidance.class)
class TaskLossGuidanceContractTest extends GuidanceTermContract {
  private static ConvNet net;

  @BeforeAll
  static void createProxy() {
    Threads.set(1);
    try (TensorScope scope = TensorScope.open()) {
      net = ConvNet.of(ConvNetConfig.of(1, 8, 8, 2).withNetWidth(8).withNetDepth(2), 5);
    }
  }

  @AfterAll
  static void closeProxy() {
    net.close();
  }

  @Override
  protected GuidanceTerm createTerm() {
    return TaskLossGuidance.classification(
        ClassifierProxy.of(net, 1, 8, 8), Schedules.constant(2.0));
  }

  @Override
  protected long[] latentShape(int batch) {
    return new long[] {batch, 1, 8, 8};
  }
}
