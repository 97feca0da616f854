/**
 * A bare awsJson1_1 call to the emulator, for setting up state cheaply where the client under test is
 * not the point (a real client's process costs about a second to start).
 */

/** Calls `operation` with `input`; returns the reply's JSON, or throws with the status and body. */
export const ecrCall = async (endpoint: string, operation: string, input: unknown): Promise<any> => {
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AmazonEC2ContainerRegistry_V20150921.${operation}`
    },
    body: JSON.stringify(input)
  })
  const body = await response.json()
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${JSON.stringify(body)}`)
  return body
}
