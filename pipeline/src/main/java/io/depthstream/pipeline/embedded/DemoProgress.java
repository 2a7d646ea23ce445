package io.depthstream.pipeline.embedded;

/** What a demo run reports while it works. */
public interface DemoProgress {

    /** A new phase begins (one line for a human). */
    void phase(String description);

    /** Synthetic frames rendered so far. */
    void rendered(int done, int total);

    /** Depth results committed so far. */
    void results(int done, int total);

    /** What the online learner just did (a version published), shown without interrupting a progress bar. */
    default void learner(String event) {
        phase(event);
    }

    /** Reports nothing. */
    DemoProgress NONE = new DemoProgress() {
        @Override
        public void phase(String description) {}

        @Override
        public void rendered(int done, int total) {}

        @Override
        public void results(int done, int total) {}
    };
}
