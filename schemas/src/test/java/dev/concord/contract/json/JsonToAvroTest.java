package dev.concord.contract.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.concord.domain.Customer;
import dev.concord.domain.Order;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class JsonToAvroTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldConvertAValidCustomerFillingDefaults() throws Exception {
        GenericRecord customer = JsonToAvro.convert(json("""
                {"name": "Ada", "email": "ada@example.com", "address": {"street": "1 Loop", "city": "Paris", "postalCode": "75001", "country": "FR"}}
                """), Customer.getClassSchema());

        assertThat(customer.get("name")).isEqualTo("Ada");
        assertThat(customer.get("tier")).hasToString("STANDARD");
        assertThat(customer.get("phone")).isNull();
        assertThat(((GenericRecord) customer.get("address")).get("city")).isEqualTo("Paris");
    }

    @Test
    void shouldRoundTripThroughAvroToJson() throws Exception {
        JsonNode order = json("""
                {"customerId": "c-1", "status": "PAID", "currency": "EUR", "totalCents": 1250,
                 "lines": [{"sku": "A-1", "quantity": 2, "unitPriceCents": 625}], "note": null}
                """);
        assertThat(AvroToJson.toJson(JsonToAvro.convert(order, Order.getClassSchema()))).hasToString(order.toString());
    }

    @Test
    void shouldNameEveryOffendingFieldAndWhatWasExpected() throws Exception {
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class, () -> JsonToAvro.convert(json("""
                {"customerId": 7, "status": "LOST", "totalCents": 1.5,
                 "lines": [{"sku": "A-1", "quantity": "two", "unitPriceCents": 625}], "colour": "red"}
                """), Order.getClassSchema()));

        assertThat(e.violations()).extracting(Violation::field, Violation::expected).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("customerId", "string"),
                org.assertj.core.groups.Tuple.tuple("status", "one of PENDING, PAID, SHIPPED, DELIVERED, CANCELLED"),
                org.assertj.core.groups.Tuple.tuple("currency", "required string"),
                org.assertj.core.groups.Tuple.tuple("totalCents", "long (64-bit integer)"),
                org.assertj.core.groups.Tuple.tuple("lines[0].quantity", "int (32-bit integer)"),
                org.assertj.core.groups.Tuple.tuple("colour", "no such field; Order has customerId, status, currency, totalCents, lines, note"));
        assertThat(e.violations()).filteredOn(v -> v.field().equals("lines[0].quantity"))
                .singleElement().extracting(Violation::pointer, Violation::actual)
                .containsExactly("/lines/0/quantity", "string \"two\"");
    }

    @Test
    void shouldReportTheInnerFieldOfANullableRecord() throws Exception {
        assertThatThrownBy(() -> JsonToAvro.convert(json("""
                {"name": "Ada", "email": "a@b.c", "address": {"street": "x", "city": 3, "postalCode": "1", "country": "FR"}}
                """), Customer.getClassSchema()))
                .isInstanceOf(PayloadValidationException.class)
                .hasMessageContaining("address.city: expected string, got number 3");
    }

    @Test
    void shouldRefuseANonObjectDocument() throws Exception {
        assertThatThrownBy(() -> JsonToAvro.convert(json("[1,2]"), Customer.getClassSchema()))
                .hasMessageContaining("(body): expected object Customer, got array [1,2]");
    }

    @Test
    void shouldRefuseANumberBeyondTheRangeOfAFloatOrADoubleInsteadOfStoringInfinity() throws Exception {
        org.apache.avro.Schema measures = org.apache.avro.SchemaBuilder.record("Measures").fields()
                .requiredFloat("ratio").requiredDouble("score").endRecord();

        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> JsonToAvro.convert(json("{\"ratio\": 1e39, \"score\": -1e400}"), measures));

        assertThat(e.violations()).extracting(Violation::field, Violation::expected).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("ratio", "float (a number within ±3.4e38)"),
                org.assertj.core.groups.Tuple.tuple("score", "double (a number within ±1.7e308)"));
        GenericRecord inRange = JsonToAvro.convert(json("{\"ratio\": 3e38, \"score\": 1e308}"), measures);
        assertThat(inRange.get("score")).isEqualTo(1e308);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
