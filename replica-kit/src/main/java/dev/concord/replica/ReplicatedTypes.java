package dev.concord.replica;

import dev.concord.contract.topics.TopicNames;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The entity types this replica applies and serves: a subset of the declared types, chosen by
 * {@code concord.replica.types} (all declared types when empty). Immutable.
 */
public final class ReplicatedTypes {

    private final List<EntityType> types;
    // state topic name -> its entity type, to recognise the type of a consumed record
    private final Map<String, EntityType> byStateTopic;

    private ReplicatedTypes(List<EntityType> types) {
        this.types = List.copyOf(types);
        this.byStateTopic = types.stream().collect(Collectors.toUnmodifiableMap(t -> TopicNames.state(t.name()), Function.identity()));
    }

    /**
     * @param requested type names; blank entries are ignored, and none at all means every declared type
     * @throws IllegalArgumentException naming the declared types when a requested one is not declared
     */
    public static ReplicatedTypes select(EntityTypes declared, Collection<String> requested) {
        List<String> names = requested == null ? List.of()
                : requested.stream().map(String::trim).filter(name -> !name.isEmpty()).distinct().toList();
        if (names.isEmpty()) {
            return new ReplicatedTypes(declared.all());
        }
        List<EntityType> chosen = new ArrayList<>();
        for (String name : names) {
            chosen.add(declared.find(name).orElseThrow(() -> new IllegalArgumentException(
                    "concord.replica.types names '" + name + "', which is not declared; declared types: "
                            + String.join(", ", declared.names()))));
        }
        return new ReplicatedTypes(chosen);
    }

    public List<EntityType> all() {
        return types;
    }

    public Optional<EntityType> find(String name) {
        return types.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The type whose state topic this is; only topics of replicated types are ever consumed. */
    public EntityType forStateTopic(String topic) {
        EntityType type = byStateTopic.get(topic);
        if (type == null) {
            throw new IllegalArgumentException("topic " + topic + " is not the state topic of a replicated type " + names());
        }
        return type;
    }

    public List<String> stateTopics() {
        return types.stream().map(t -> TopicNames.state(t.name())).toList();
    }

    public List<String> names() {
        return types.stream().map(EntityType::name).toList();
    }
}
