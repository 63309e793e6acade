package dev.concord.examples.directory;

import dev.concord.contract.ids.EntityIdGrammar;
import dev.concord.contract.problem.Problem;
import dev.concord.security.AccessPolicy;
import dev.concord.security.Action;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.authentication.Authentication;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The directory's own read door, on its own table: {@code GET /v1/customers/{id}} and {@code GET /v1/customers?city=}.
 * Like every Concord door it needs credentials: the caller's grants must include {@code <type>:read}.
 */
@Controller("/v1/customers")
@ExecuteOn(TaskExecutors.BLOCKING)
class CustomerController {

    private static final String COLUMNS = "id, name, email, phone, tier, city, country, marketing_opt_in, version, updated_at";
    private static final int MAX_LIST = 500;

    private final DataSource dataSource;
    private final AccessPolicy access;
    private final String type;

    CustomerController(DataSource dataSource, AccessPolicy access, @Value("${directory.type:customer}") String type) {
        this.dataSource = dataSource;
        this.access = access;
        this.type = type;
    }

    @Get("/{id}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    HttpResponse<?> get(String id, @Nullable Authentication authentication) throws SQLException {
        access.require(authentication, type, Action.READ, "id");
        Optional<EntityIdGrammar.Violation> invalidId = EntityIdGrammar.check(id);
        if (invalidId.isPresent()) {
            return badParameter("id", EntityIdGrammar.RULE, invalidId.get().found(), invalidId.get().detail(), "/v1/customers/{id}");
        }
        List<DirectoryEntry> found = query("SELECT " + COLUMNS + " FROM customers WHERE id = ?", id);
        if (found.isEmpty()) {
            Problem problem = Problem.of("entity-not-found", "Customer not found", 404,
                    "The directory holds no customer with this id.", List.of()).at("/v1/customers/" + id);
            return HttpResponse.<Problem>status(HttpStatus.NOT_FOUND).body(problem).contentType(Problem.MEDIA_TYPE);
        }
        return HttpResponse.ok(found.get(0));
    }

    @Get
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    HttpResponse<?> inCity(@QueryValue String city, @Nullable Authentication authentication) throws SQLException {
        access.require(authentication, type, Action.READ, "city");
        Optional<String> invalidCity = CityParameter.violation(city);
        if (invalidCity.isPresent()) {
            return badParameter("city", CityParameter.RULE, invalidCity.get(), "The city is not " + CityParameter.RULE + ".", "/v1/customers");
        }
        return HttpResponse.ok(query("SELECT " + COLUMNS + " FROM customers WHERE city = ? ORDER BY id LIMIT " + MAX_LIST, city));
    }

    /** A 400 naming the parameter; the value is quoted in the body only, never logged (it may be anything). */
    private static HttpResponse<Problem> badParameter(String field, String expected, String found, String detail, String route) {
        Problem problem = Problem.of("invalid-parameter", "Invalid parameter", 400, detail,
                List.of(new Problem.FieldError(field, null, expected, found))).at(route);
        return HttpResponse.<Problem>status(HttpStatus.BAD_REQUEST).body(problem).contentType(Problem.MEDIA_TYPE);
    }

    private List<DirectoryEntry> query(String sql, String parameter) throws SQLException {
        List<DirectoryEntry> entries = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    entries.add(new DirectoryEntry(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6), row.getString(7), row.getBoolean(8), row.getLong(9),
                            row.getTimestamp(10).toInstant()));
                }
            }
        }
        return entries;
    }
}
