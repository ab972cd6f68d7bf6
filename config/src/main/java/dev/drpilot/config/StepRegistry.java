package dev.drpilot.config;

import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The steps a runbook can name: one line per step type and method, giving the {@link StepSpec}
 * record that takes it and how it reads itself. {@link RunbookBinder} asks it which record a step
 * is; the failover module builds one step per record it lists.
 */
public final class StepRegistry {
    private static final List<Line> LINES = List.of(
            kind(Runbook.Type.CHECK, StepSpec.Check.class, item -> new StepSpec.Check()),
            defaultMethod(Runbook.Type.FENCE, "stop", StepSpec.FenceStop.class, item -> new StepSpec.FenceStop()),
            method(Runbook.Type.FENCE, "command", StepSpec.FenceCommand.class, StepSpec.FenceCommand::bind),
            method(Runbook.Type.FENCE, "kubernetes", StepSpec.FenceKubernetes.class, StepSpec.FenceKubernetes::bind),
            method(Runbook.Type.FENCE, "agent", StepSpec.FenceAgent.class, StepSpec.FenceAgent::bind),
            defaultMethod(Runbook.Type.PROMOTE, "postgres", StepSpec.PromotePostgres.class, item -> new StepSpec.PromotePostgres()),
            method(Runbook.Type.PROMOTE, "rds", StepSpec.PromoteRds.class, StepSpec.PromoteRds::bind),
            method(Runbook.Type.REPOINT, "replicas", StepSpec.RepointReplicas.class, item -> new StepSpec.RepointReplicas()),
            method(Runbook.Type.REPOINT, "kubernetes", StepSpec.RepointKubernetes.class, StepSpec.RepointKubernetes::bind),
            method(Runbook.Type.REPOINT, "route53", StepSpec.RepointRoute53.class, StepSpec.RepointRoute53::bind),
            kind(Runbook.Type.VERIFY, StepSpec.Verify.class, item -> new StepSpec.Verify()),
            kind(Runbook.Type.NOTIFY, StepSpec.Notify.class, item -> new StepSpec.Notify()));

    private static final List<Kind> KINDS = LINES.stream().map(Line::kind).toList();
    private static final Map<Class<? extends StepSpec>, Kind> BY_SPEC = KINDS.stream()
            .collect(Collectors.toUnmodifiableMap(Kind::spec, kind -> kind));

    private StepRegistry() {
    }

    /**
     * One step type and method.
     *
     * @param method        empty for a type without methods (check, verify, notify)
     * @param defaultMethod the type's method when a step names none
     */
    public record Kind(Runbook.Type type, Optional<String> method, boolean defaultMethod, Class<? extends StepSpec> spec) {
        /** As a runbook names it and a failover step describes itself: {@code repoint kubernetes}. */
        public String describe() {
            return ConfigNames.of(type) + method.map(name -> " " + name).orElse("");
        }
    }

    /** @param keys the options the method takes: the keys its binder reads */
    private record Line(Kind kind, Function<Section, ? extends StepSpec> binder, Set<String> keys) {
    }

    /** Every step a runbook can name, in the order of the documentation. */
    public static List<Kind> kinds() {
        return KINDS;
    }

    /** The type and method of a spec. */
    public static Kind kindOf(StepSpec spec) {
        Kind kind = BY_SPEC.get(spec.getClass());
        if (kind == null) {
            throw new IllegalArgumentException(spec.getClass().getSimpleName() + " has no line in StepRegistry");
        }
        return kind;
    }

    /**
     * Reads a step of a known type from its mapping, reporting what is wrong. A key that another
     * method of the same type takes is read and left unused, as runbooks written before the methods
     * had their own records were accepted with it; what is returned for a step with problems is never
     * run (the load fails).
     */
    static StepSpec bind(Runbook.Type type, Section item) {
        List<Line> ofType = LINES.stream().filter(line -> line.kind().type() == type).toList();
        if (ofType.isEmpty()) {
            throw new IllegalStateException("step type " + ConfigNames.of(type) + " has no line in StepRegistry");
        }
        Optional<Line> chosen = ofType.get(0).kind().method().isEmpty() ? Optional.of(ofType.get(0)) : chooseMethod(ofType, item);
        Set<String> unused = new LinkedHashSet<>();
        ofType.forEach(line -> unused.addAll(line.keys()));
        chosen.ifPresent(line -> unused.removeAll(line.keys()));
        StepSpec spec = chosen.<StepSpec>map(line -> line.binder().apply(item)).orElseGet(StepSpec.Check::new);
        unused.forEach(item::optionalString);
        return spec;
    }

    private static Optional<Line> chooseMethod(List<Line> ofType, Section item) {
        String type = ConfigNames.of(ofType.get(0).kind().type());
        List<String> names = ofType.stream().map(line -> line.kind().method().orElseThrow()).toList();
        Optional<String> written = item.optionalString("method");
        if (written.isEmpty()) {
            Optional<Line> byDefault = ofType.stream().filter(line -> line.kind().defaultMethod()).findFirst();
            if (byDefault.isEmpty()) {
                String last = names.get(names.size() - 1);
                String choices = names.size() == 1 ? last : String.join(", ", names.subList(0, names.size() - 1)) + " or " + last;
                item.problems().add(item.child("method"), "missing: " + type + " needs a method (" + choices + ")");
            }
            return byDefault;
        }
        Optional<Line> named = ofType.stream().filter(line -> line.kind().method().equals(written)).findFirst();
        if (named.isEmpty()) {
            item.problems().add(item.child("method"), "\"" + written.get() + "\" is not one of " + String.join(", ", names.stream().sorted().toList()));
        }
        return named;
    }

    private static <S extends StepSpec> Line kind(Runbook.Type type, Class<S> spec, Function<Section, S> binder) {
        return new Line(new Kind(type, Optional.empty(), false, spec), binder, keysReadBy(binder));
    }

    private static <S extends StepSpec> Line method(Runbook.Type type, String method, Class<S> spec, Function<Section, S> binder) {
        return new Line(new Kind(type, Optional.of(method), false, spec), binder, keysReadBy(binder));
    }

    private static <S extends StepSpec> Line defaultMethod(Runbook.Type type, String method, Class<S> spec, Function<Section, S> binder) {
        return new Line(new Kind(type, Optional.of(method), true, spec), binder, keysReadBy(binder));
    }

    /** A binder reads every key it takes, whatever the mapping holds: read an empty one, the problems thrown away. */
    private static Set<String> keysReadBy(Function<Section, ? extends StepSpec> binder) {
        Section empty = new Section(MissingNode.getInstance(), "", new Problems(), name -> null);
        binder.apply(empty);
        return Collections.unmodifiableSet(new LinkedHashSet<>(empty.known()));
    }
}
