package dev.concord.producer.admin;

import dev.concord.contract.ConcordContract;
import dev.concord.contract.types.EntityType;
import dev.concord.producer.publish.NotPermittedException;
import dev.concord.producer.write.UnknownEntityTypeException;
import dev.concord.security.Action;
import dev.concord.security.Client;
import dev.concord.security.ClientResolver;
import dev.concord.security.Grants;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;

/**
 * Who may use an operator's door of producer-service (replay, parking): a client with the type's {@code admin} grant.
 * Credentials are checked before the type, so a caller without the grant learns nothing, not even which types exist.
 */
@Singleton
class OperatorAccess {

    private final ClientResolver clients;
    private final ConcordContract contract;

    OperatorAccess(ClientResolver clients, ConcordContract contract) {
        this.clients = clients;
        this.contract = contract;
    }

    /**
     * @param what what the door does to the type's entities, for the refusal ("replay", "release or skip")
     * @return the declared type
     * @throws NotPermittedException      403 without the grant (401 comes earlier, from the security filter)
     * @throws UnknownEntityTypeException 404 for a type that is not declared
     */
    EntityType require(@Nullable Authentication authentication, String type, String what) {
        Client client = clients.resolve(authentication);
        if (!client.grants().allows(type, Action.ADMIN)) {
            String needed = Grants.needed(type, Action.ADMIN);
            throw new NotPermittedException(client.id(), needed, "type",
                    "Client '" + client.id() + "' may not " + what + " " + type + " entities; it needs the grant " + needed + ".");
        }
        return contract.types().find(type).orElseThrow(() -> new UnknownEntityTypeException(type, contract.types().names()));
    }
}
