package dev.concord.producer.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.concord.contract.json.Violation;
import dev.concord.contract.types.EntityType;
import dev.concord.contract.types.EntityTypes;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/** JSON merge patch → PATCH payload: changed fields, values validated per field, absent values elsewhere. */
class MergePatchesTest {

    private static final EntityType CUSTOMER = EntityTypes.load(EntityTypes.DEFAULT_DECLARATION).require("customer");

    @Test
    void shouldCarryPatchedValuesAndNameTheTopLevelKeysAsChangedFields() {
        MergePatches.Patch patch = MergePatches.toPatch(CUSTOMER, json("{\"email\": \"ada@example.org\", \"tier\": \"GOLD\"}"));

        assertThat(patch.changedFields()).containsExactly("email", "tier");
        GenericRecord record = patch.record();
        assertThat(record.get("email")).hasToString("ada@example.org");
        assertThat(record.get("tier")).hasToString("GOLD");
        // Not patched: absent values (required string without default → "", defaults as declared).
        assertThat(record.get("name")).hasToString("");
        assertThat(record.get("marketingOptIn")).isEqualTo(false);
        assertThat(record.get("address")).isNull();
    }

    @Test
    void shouldReplaceANestedObjectWholeAndRefuseAPartialOne() {
        MergePatches.Patch whole = MergePatches.toPatch(CUSTOMER, json("""
                {"address": {"street": "1 Rue de Rivoli", "city": "Paris", "postalCode": "75001", "country": "FR"}}"""));
        assertThat(((GenericRecord) whole.record().get("address")).get("city")).hasToString("Paris");

        InvalidPayloadException partial = catchThrowableOfType(InvalidPayloadException.class,
                () -> MergePatches.toPatch(CUSTOMER, json("{\"address\": {\"city\": \"Paris\"}}")));
        assertThat(partial.violations()).extracting(Violation::field).contains("address.street", "address.postalCode", "address.country");
    }

    @Test
    void shouldRemoveFieldsWithNullToTheirDefaultButRefuseRemovingARequiredOne() {
        MergePatches.Patch removed = MergePatches.toPatch(CUSTOMER, json("{\"phone\": null, \"tier\": null}"));
        assertThat(removed.changedFields()).containsExactly("phone", "tier");
        assertThat(removed.record().get("phone")).isNull();
        assertThat(removed.record().get("tier")).hasToString("STANDARD");

        InvalidPayloadException required = catchThrowableOfType(InvalidPayloadException.class,
                () -> MergePatches.toPatch(CUSTOMER, json("{\"name\": null}")));
        assertThat(required.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("name");
            assertThat(v.expected()).contains("required").contains("cannot be removed");
        });
    }

    @Test
    void shouldNameEveryWrongOrUnknownPatchedField() {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class,
                () -> MergePatches.toPatch(CUSTOMER, json("{\"email\": 42, \"tier\": \"GOLDEN\", \"nickname\": \"x\"}")));

        assertThat(e.violations()).extracting(Violation::field).containsExactlyInAnyOrder("email", "tier", "nickname");
        assertThat(e.status()).isEqualTo(422);
    }

    @Test
    void shouldRefuseAnEmptyPatch() {
        InvalidPayloadException e = catchThrowableOfType(InvalidPayloadException.class, () -> MergePatches.toPatch(CUSTOMER, json("{}")));
        assertThat(e.violations()).singleElement().satisfies(v -> assertThat(v.actual()).isEqualTo("an empty object"));
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
