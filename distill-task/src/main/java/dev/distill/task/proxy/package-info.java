/**
 * Task-specific proxy models (UniDD's "universal task knowledge mining"): a network trained on the
 * real data whose loss guides generation, alone or in a {@link
 * dev.distill.task.proxy.ProxyEnsemble}.
 *
 * <p>Classification proxies ({@link dev.distill.task.proxy.ClassificationProxy}) give logits;
 * detection and segmentation proxies ({@link dev.distill.task.proxy.AnnotationTaskProxy}: {@link
 * dev.distill.task.proxy.CenterNetDetector}, {@link dev.distill.task.proxy.LrAsppSegmenter}) give a
 * differentiable task loss against target annotations, and are trained by {@link
 * dev.distill.task.proxy.AnnotationProxyTrainer}; {@link dev.distill.task.proxy.BuiltinProxies}
 * loads a detector and a segmenter trained on real Fashion-MNIST scenes, shipped in this module's
 * resources.
 *
 * @since 0.1.0
 */
package dev.distill.task.proxy;
