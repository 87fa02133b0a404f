package org.denyfs.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link DenyfsMount} parameters. Each mount lives in the JUnit store of the context that
 * asked for it (the test method, or the class for a {@code @BeforeAll} parameter), which closes it
 * when that context ends, whatever the outcome.
 */
public final class DenyfsExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DenyfsExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return parameter.isAnnotated(DenyfsMount.class) && (type == Path.class || type == Denyfs.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        List<String> options = List.of(parameter.findAnnotation(DenyfsMount.class).orElseThrow().options());
        Denyfs denyfs = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent("mount " + options, key -> new MountResource(mount(options)), MountResource.class)
                .denyfs();
        return parameter.getParameter().getType() == Path.class ? denyfs.mountPoint() : denyfs;
    }

    private static Denyfs mount(List<String> options) {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new ParameterResolutionException("@DenyfsMount needs /dev/fuse (modprobe fuse; in a container: "
                    + "--device /dev/fuse --cap-add SYS_ADMIN)");
        }
        try {
            return Denyfs.mount(options);
        } catch (IOException e) {
            throw new ParameterResolutionException("@DenyfsMount: " + e.getMessage(), e);
        }
    }

    /** Closed by JUnit when its context ends; an unmount that fails fails the test. */
    @SuppressWarnings("deprecation") // CloseableResource: what JUnit 5.9-5.12 close; 5.13+ close it too
    private record MountResource(Denyfs denyfs) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws IOException {
            denyfs.close();
        }
    }
}
