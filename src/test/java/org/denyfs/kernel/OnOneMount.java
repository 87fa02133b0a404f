package org.denyfs.kernel;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * For test classes whose tests share one mount over an empty backing directory: mounted before the
 * first test, unmounted after the last, even when tests fail. Classes run one at a time. A class
 * that needs mount options names them with {@link MountedWith}; it must not declare a static
 * {@code mount()} of its own: JUnit runs a subclass's hiding @BeforeAll method as well as this one,
 * and the first mount would be lost, never unmounted.
 */
abstract class OnOneMount {
    static LiveMount m;

    /** The mount options of a test class's one mount ("passthrough=auto"); none without it. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface MountedWith {
        String value();
    }

    @BeforeAll
    static void mount(TestInfo info) throws IOException {
        String options = info.getTestClass().map(c -> c.getAnnotation(MountedWith.class))
                .map(MountedWith::value).orElse("");
        m = LiveMount.start(options);
    }

    @AfterAll
    static void unmount() throws IOException {
        if (m != null) {
            m.close();
            m = null;
        }
    }
}
