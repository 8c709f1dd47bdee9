package dev.distill.core.match;

import dev.distill.api.Matcher;
import dev.distill.api.contract.Covers;
import dev.distill.api.contract.MatcherContract;

/** Cross-entropy with hard labels honours the api's matcher contract. */
@Covers(HardLabelMatcher.class)
class HardLabelMatcherContractTest extends MatcherContract {
  @Override
  protected Matcher createMatcher() {
    return HardLabelMatcher.of();
  }

  @Override
  protected int numClasses() {
    return 5;
  }

  @Override
  protected long[] imageShape() {
    return new long[] {1, 8, 8};
  }
}
