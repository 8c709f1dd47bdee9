/**
 * In-memory labelled image datasets and their sources (IDX files, ImageFolders, the bundled
 * Fashion-MNIST).
 *
 * @since 0.1.0
 */
package dev.distill.core.data;
