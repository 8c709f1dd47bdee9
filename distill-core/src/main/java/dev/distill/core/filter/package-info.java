/**
 * Filters every distilled set passes before it is saved or evaluated: {@link
 * dev.distill.core.filter.DedupFilter} (leakage against the evaluation images and duplicates within
 * the set, by {@link dev.distill.core.filter.PerceptualHash} and {@link
 * dev.distill.core.filter.EmbeddingSimilarity}) and the ALIA-style {@link
 * dev.distill.core.filter.ConfidenceFilter} (proxy confidence, one proxy or an ensemble). Both
 * return a {@link dev.distill.core.filter.FilterResult} whose per-reason counts go into the run
 * report.
 *
 * @since 0.1.0
 */
package dev.distill.core.filter;
