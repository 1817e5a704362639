/* The C smoke test's orders job: "kind":"orders" through the same begin/feed/finish calls, a CSV
 * of item lines grouped into orders, a bad order refused with its CSV lines, and a contact-only
 * option refused for orders. */
#include <stdlib.h>
#include <string.h>
#include "smoke.h"

void orders_job(yespo_client *client) {
    yespo_error *err = NULL;
    yespo_job *job = NULL;
    yespo_report *report = NULL;
    json_t *summary, *orders;
    char *path, *rows;
    size_t rows_len = 0;

    /* contact options make no sense for orders: refused, naming the option and the kind */
    CHECK(yespo_upsert_begin(client, "{\"kind\":\"orders\",\"groupNames\":[\"x\"]}", &job, &err) == YESPO_E_INVALID_ARGUMENT);
    CHECK(strstr(yespo_error_message(err), "\"groupNames\" cannot be used with \"kind\": \"orders\"") != NULL);
    yespo_error_free(err);
    err = NULL;

    path = write_temp_file("orders.csv",
        "externalOrderId,externalCustomerId,status,date,currency,totalCost,email,item.externalItemId,item.name,item.quantity,item.cost\n"
        "c-o1,c1,DELIVERED,2025-01-01,UAH,30,corder1@example.com,i1,Mug,2,10\n"
        "c-o1,c1,DELIVERED,2025-01-01,UAH,30,corder1@example.com,i2,Cup,1,10\n"
        "c-o2,c2,SHIPPED,2025-01-01,UAH,5,corder2@example.com,i3,Pen,1,5\n"
        "c-o3,c3,INITIALIZED,2025-01-02,UAH,7,corder3@example.com,i4,Pad,1,7\n");
    CHECK_OK(yespo_upsert_begin(client, "{\"kind\":\"orders\"}", &job, &err), err);
    CHECK_OK(yespo_job_feed_file(job, path, NULL, &err), err);
    CHECK_OK(yespo_job_finish(job, &report, &err), err);
    yespo_job_free(job);
    remove_temp_file(path);
    summary = report_summary(report);
    check_complete(summary, 3, 0);
    CHECK(json_int(summary, "accepted") == 2);
    CHECK(json_int(summary, "invalid") == 1);
    json_decref(summary);
    CHECK_OK(yespo_report_rows(report, YESPO_ROWS_INVALID, &rows, &rows_len, &err), err);
    CHECK(strstr(rows, "CSV line 4") != NULL);
    yespo_free(rows);
    yespo_report_free(report);

    orders = admin_json(&emu, "GET", "/_emulator/orders?externalOrderId=c-o1", NULL);
    CHECK(json_array_size(orders) == 1);
    CHECK(json_array_size(json_object_get(json_object_get(json_array_get(orders, 0), "order"), "items")) == 2);
    json_decref(orders);
}
