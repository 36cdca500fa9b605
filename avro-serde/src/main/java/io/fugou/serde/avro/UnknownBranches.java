package io.fugou.serde.avro;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Resolver;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;

/**
 * Where a writer's schema has union branches (named types, at any depth) that the reader's schema
 * does not have, and how to tell whether one datum used them.
 *
 * <p>Avro resolves a writer's branch the reader lacks to the first reader branch that fits by
 * structure (shared/STACK.md, trap 17): a new {@code OrderCompleted{orderId}} is read as
 * {@code OrderCancelled}. The decision is taken from Avro's own resolution ({@link Resolver}, which
 * the resolving decoder is built from), so it is exactly what the reader would do: a writer branch is
 * <em>unknown</em> when Avro would read it as a reader branch of another name, or as nothing at all.
 * Names are compared by full name; the same simple name also counts (as Avro's own union matching
 * does) when no other branch of the writer's union has the reader branch's full name, so a shop that
 * writes our structure under its own namespace ({@code com.shop.OrderPaid}) is still read, through
 * {@code specific.avro.value.type} or {@code avro.reader.types.by.topic}. Reader aliases apply first.
 *
 * <p>Built once per writer schema id; {@link #of} returns {@code null} when there is nothing to
 * guard, so the common case costs nothing per record.
 */
final class UnknownBranches {

    private final Node root;
    private final Set<String> names;

    private UnknownBranches(Node root, Set<String> names) {
        this.root = root;
        this.names = Set.copyOf(names);
    }

    /** The guard for a writer/reader pair, or {@code null} when every writer union branch is known to the reader. */
    static UnknownBranches of(Schema writer, Schema reader) {
        Resolver.Action resolution = Resolver.resolve(writer, reader);
        Builder builder = new Builder();
        Node root = builder.build(resolution, writer);
        return builder.unknownNames.isEmpty() ? null : new UnknownBranches(root, builder.unknownNames);
    }

    /** Full names of every writer branch the reader does not know, wherever they are in the schema. */
    Set<String> names() {
        return new TreeSet<>(names);
    }

    /** Full names of the unknown branches this datum (decoded with the writer's schema) uses; empty when none. */
    Set<String> usedBy(Object datum) {
        Set<String> found = new TreeSet<>();
        if (root != null) {
            root.collect(datum, found);
        }
        return found;
    }

    /** A part of the writer's schema on the way to an unknown branch. */
    private interface Node {
        void collect(Object datum, Set<String> found);
    }

    private static final class RecordNode implements Node {
        int[] positions = new int[0];
        Node[] children = new Node[0];

        @Override
        public void collect(Object datum, Set<String> found) {
            if (datum instanceof IndexedRecord record) {
                for (int i = 0; i < positions.length; i++) {
                    children[i].collect(record.get(positions[i]), found);
                }
            }
        }
    }

    private record UnionNode(Schema union, String[] unknownNames, Node[] children) implements Node {
        @Override
        public void collect(Object datum, Set<String> found) {
            int branch = GenericData.get().resolveUnion(union, datum);
            if (unknownNames[branch] != null) {
                found.add(unknownNames[branch]);
            } else if (children[branch] != null) {
                children[branch].collect(datum, found);
            }
        }
    }

    private record ArrayNode(Node element) implements Node {
        @Override
        public void collect(Object datum, Set<String> found) {
            if (datum instanceof Collection<?> elements) {
                for (Object element : elements) {
                    this.element.collect(element, found);
                }
            }
        }
    }

    private record MapNode(Node value) implements Node {
        @Override
        public void collect(Object datum, Set<String> found) {
            if (datum instanceof Map<?, ?> map) {
                for (Object value : map.values()) {
                    this.value.collect(value, found);
                }
            }
        }
    }

    /**
     * Walks Avro's resolution of the two schemas beside the writer's schema as registered (the
     * resolution's own writer schemas may be copies renamed by reader aliases). Parts that cannot lead
     * to an unknown branch are left out ({@code null}), so checking a datum visits only the paths that matter.
     */
    private static final class Builder {
        /** Records already walked (a null value: nothing to guard there), by Avro's resolution action, shared by recursive types. */
        private final Map<Resolver.Action, Node> done = new IdentityHashMap<>();
        private final Map<Resolver.Action, RecordNode> building = new IdentityHashMap<>();
        private final Map<Resolver.Action, Boolean> recursive = new IdentityHashMap<>();
        private final Set<String> unknownNames = new TreeSet<>();

        Node build(Resolver.Action action, Schema writer) {
            return switch (action.type) {
                case RECORD -> record((Resolver.RecordAdjust) action, writer);
                case WRITER_UNION -> union((Resolver.WriterUnion) action, writer);
                case READER_UNION -> build(((Resolver.ReaderUnion) action).actualAction, writer);
                case CONTAINER -> container((Resolver.Container) action, writer);
                // primitives, enums, promotions, skipped fields (never read) and errors (the read fails anyway)
                default -> null;
            };
        }

        private Node record(Resolver.RecordAdjust action, Schema writer) {
            if (done.containsKey(action)) {
                return done.get(action);
            }
            RecordNode inProgress = building.get(action);
            if (inProgress != null) {
                recursive.put(action, true); // a recursive type: its node is kept, whatever it turns out to hold
                return inProgress;
            }
            RecordNode node = new RecordNode();
            building.put(action, node);
            List<Integer> positions = new ArrayList<>();
            List<Node> children = new ArrayList<>();
            List<Schema.Field> fields = writer.getFields();
            for (int i = 0; i < fields.size(); i++) {
                Node child = build(action.fieldActions[i], fields.get(i).schema());
                if (child != null) {
                    positions.add(i);
                    children.add(child);
                }
            }
            building.remove(action);
            node.positions = positions.stream().mapToInt(Integer::intValue).toArray();
            node.children = children.toArray(Node[]::new);
            Node result = children.isEmpty() && !recursive.containsKey(action) ? null : node;
            done.put(action, result);
            return result;
        }

        private Node union(Resolver.WriterUnion action, Schema writer) {
            List<Schema> branches = writer.getTypes();
            List<Schema> resolvedBranches = action.writer.getTypes();
            String[] unknownNames = new String[branches.size()];
            Node[] children = new Node[branches.size()];
            boolean relevant = false;
            for (int i = 0; i < branches.size(); i++) {
                Schema branch = branches.get(i);
                Resolver.Action branchAction = action.actions[i];
                Schema readAs;
                Resolver.Action inner = branchAction;
                if (action.unionEquiv) {
                    readAs = action.reader.getTypes().get(i);
                } else if (branchAction instanceof Resolver.ReaderUnion readerUnion) {
                    readAs = readerUnion.reader.getTypes().get(readerUnion.firstMatch);
                    inner = readerUnion.actualAction;
                } else if (branchAction instanceof Resolver.ErrorAction) {
                    readAs = null;
                } else {
                    readAs = branchAction.reader; // the reader is not a union: the branch is read as the reader's type itself
                }
                if (isNamed(branch) && !readAsItself(resolvedBranches.get(i), readAs, resolvedBranches)) {
                    unknownNames[i] = branch.getFullName();
                    this.unknownNames.add(branch.getFullName());
                    relevant = true;
                    continue;
                }
                children[i] = build(inner, branch);
                relevant |= children[i] != null;
            }
            return relevant ? new UnionNode(writer, unknownNames, children) : null;
        }

        private Node container(Resolver.Container action, Schema writer) {
            if (writer.getType() == Schema.Type.ARRAY) {
                Node element = build(action.elementAction, writer.getElementType());
                return element == null ? null : new ArrayNode(element);
            }
            Node value = build(action.elementAction, writer.getValueType());
            return value == null ? null : new MapNode(value);
        }

        /** Whether the reader reads this writer branch as a type of the same name. */
        private static boolean readAsItself(Schema branch, Schema readAs, List<Schema> writerBranches) {
            if (readAs == null || readAs.getType() != branch.getType()) {
                return false;
            }
            if (branch.getFullName().equals(readAs.getFullName())) {
                return true;
            }
            if (!branch.getName().equals(readAs.getName())) {
                return false;
            }
            for (Schema other : writerBranches) {
                if (other != branch && isNamed(other) && other.getFullName().equals(readAs.getFullName())) {
                    return false; // the writer has the reader's type itself too: this one is another type of the same simple name
                }
            }
            return true;
        }

        private static boolean isNamed(Schema schema) {
            return schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM || schema.getType() == Schema.Type.FIXED;
        }
    }
}
