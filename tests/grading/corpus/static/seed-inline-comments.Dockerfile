# Stage 1: Build stage 

FROM node:18 AS builder               # Base image with Node.js + tools (Ubuntu by default)

WORKDIR /app                         # Set working directory inside container

COPY package*.json ./ 		          # Copy only dependency files
RUN npm install      		            # Install dependencies

COPY . .              		        # Copy rest of the application code
	
# Stage 2: Production stage

FROM ubuntu:22.04                # Clean base image (no build tools), more minimal

RUN apt-get update && \
    apt-get install -y nodejs npm && \ 	  # Install only what is needed
    rm -rf /var/lib/apt/lists/* 	        #Clean up APT cache to reduce size	 

WORKDIR /app
COPY --from=builder /app .  	          # Copy built app from builder stage

EXPOSE 3000
CMD ["node", "index.js"]                  # Start app
