curl https://api.product.cycle.app/graphql \
  -X POST \
  -H "Authorization: Bearer YOUR_CYCLE_API_KEY" \
  -F operations='{
    "query": "mutation importCustomersFromCSV($file: Upload!, $workspaceId: ID!) { importCustomersFromCSV(csvFile: $file, productId: $workspaceId) }",
    "variables": { "file": null, "workspaceId": "YOUR_WORKSPACE_ID" }
  }' \
  -F map='{ "0": ["variables.file"] }' \
  -F 0=@your_file.csv
