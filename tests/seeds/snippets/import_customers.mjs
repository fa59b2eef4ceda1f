import fs from 'fs';
import path from 'path';
import FormData from 'form-data';

const apiKey = 'YOUR_CYCLE_API_KEY';
const workspaceId = 'YOUR_WORKSPACE_ID';
const csvPath = './your_file.csv';

const form = new FormData();
form.append(
  'operations',
  JSON.stringify({
    query: `
      mutation importCustomersFromCSV($file: Upload!, $workspaceId: ID!) {
        importCustomersFromCSV(csvFile: $file, productId: $workspaceId)
      }
    `,
    variables: {
      file: null,
      workspaceId,
    },
  })
);
form.append('map', JSON.stringify({ '0': ['variables.file'] }));
form.append('0', fs.createReadStream(csvPath));

const response = await fetch('https://api.product.cycle.app/graphql', {
  method: 'POST',
  headers: {
    Authorization: `Bearer ${apiKey}`,
    ...form.getHeaders(),
  },
  body: form,
});

const result = await response.json();
console.log(result);
