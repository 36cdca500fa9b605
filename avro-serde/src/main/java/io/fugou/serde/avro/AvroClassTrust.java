package io.fugou.serde.avro;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it does not trust (a guard against gadget classes in
 * untrusted data). The generated event classes are ours, so their packages are added to the trust
 * list once, on top of whatever the JVM already trusts.
 */
final class AvroClassTrust {

    private static final Set<String> trustedPackages = ConcurrentHashMap.newKeySet();

    private AvroClassTrust() {
    }

    static synchronized void trust(Iterable<String> packages) {
        boolean changed = false;
        for (String pkg : packages) {
            changed |= trustedPackages.add(pkg.endsWith(".") ? pkg : pkg + ".");
        }
        if (changed) {
            ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(type -> previous.isTrusted(type) || isTrustedPackage(type));
        }
    }

    private static boolean isTrustedPackage(Class<?> type) {
        String name = type.getName();
        return trustedPackages.stream().anyMatch(name::startsWith);
    }
}
